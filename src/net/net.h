/*
 * net.h - the net layer: Ethernet frames between a NIC (the front end, in
 * src/devices/) and the back end it is connected to (user networking with
 * libslirp, net_slirp.c), through a pair of NetClients.
 *
 * Each side owns one NetClient; net_connect() makes them peers.  A frame
 * sent by one side is handed to the other side's receive() at once, or
 * queued for it when it cannot take it now (can_receive() false, or
 * receive() returned false: a NIC with no free RX descriptors).  The NIC
 * calls net_flush() when it can take frames again (the guest gave it
 * buffers), which delivers what waits, a bounded number per call.  The
 * queue is bounded too (NET_QUEUE_MAX frames): beyond it frames are
 * dropped, as a wire would (TCP retransmits).
 *
 *   NetClient *nc = net_client_new(&e1000_net_ops, s, "e1000");
 *   net_connect(nc, slirp_nc);
 *   net_send(nc, frame, len);          // a frame the guest transmitted
 *   ...  net_flush(nc);                // the guest refilled the RX ring
 *
 * Everything runs on the main loop's thread: a receive() may be called
 * from inside the peer's send (slirp answers an ARP request at once), so
 * a NIC's TX and RX paths must not share scratch state.
 */
#ifndef TX86_NET_NET_H
#define TX86_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_FRAME_MAX   65536     /* larger frames are dropped by net_send */
#define NET_QUEUE_MAX   256       /* frames waiting for one client */
#define NET_FLUSH_MAX   64        /* frames one net_flush delivers at most */

typedef struct NetClient NetClient;

typedef struct NetClientOps {
    /* can this client take a frame now?  NULL: always */
    bool (*can_receive)(NetClient *nc);
    /* a frame for this client (from its peer); false: not now, keep it
     * queued (a dropped frame, filtered or bad, returns true) */
    bool (*receive)(NetClient *nc, const uint8_t *buf, size_t len);
} NetClientOps;

struct NetClient {
    const NetClientOps *ops;
    void *opaque;                 /* the owner's state */
    char *name;                   /* "e1000", the netdev id, ... */
    NetClient *peer;              /* NULL: frames sent are dropped */
    void *queue;                  /* GQueue of frames waiting for this client */
    uint64_t sent, received, dropped;   /* frame counters (tests, docs) */
};

NetClient *net_client_new(const NetClientOps *ops, void *opaque, const char *name);
/* disconnects it from its peer and drops its queue */
void net_client_free(NetClient *nc);
/* a and b become peers (either may have been connected before: that
 * link is cut) */
void net_connect(NetClient *a, NetClient *b);
/* a frame from nc to its peer: delivered, queued or dropped (no peer,
 * too long, queue full).  Returns true when delivered or queued. */
bool net_send(NetClient *nc, const uint8_t *buf, size_t len);
/* nc may take frames again: deliver what is queued for it (at most
 * NET_FLUSH_MAX frames; the rest waits for the next call).  Returns how
 * many frames are still queued. */
size_t net_flush(NetClient *nc);
/* frames queued for nc */
size_t net_queued(const NetClient *nc);

/* helpers for NICs and back ends */
/* the Internet checksum (RFC 1071) of buf, folded, not complemented,
 * added to sum */
uint32_t net_checksum_add(uint32_t sum, const uint8_t *buf, size_t len);
uint16_t net_checksum_finish(uint32_t sum);          /* ~fold(sum) */
/* Ethernet FCS (CRC-32, IEEE 802.3, reflected), as it goes on the wire
 * little-endian after the frame */
uint32_t net_crc32(const uint8_t *buf, size_t len);
/* "52:54:00:12:34:56" -> mac; false when malformed */
bool net_parse_mac(const char *s, uint8_t mac[6]);

#endif
