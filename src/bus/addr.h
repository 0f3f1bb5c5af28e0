/*
 * addr.h - the two kinds of guest address, named once for every layer
 * that carries them: the physical memory map (bus/memory.h), the
 * software TLB and its slow paths (mmu/), the block cache and the
 * backends (translator/guest.h re-exports these), and the guest.
 *
 *   GuestVirt  what guest code addresses: a block's pc and code base, the
 *              address of a load or store, a TLB tag (x86: linear)
 *   GuestPhys  a physical address: the PhysMem map, the block key's
 *              physical pc, code pages
 *
 * Both are 32 bits for the x86 guest.  GuestVirt is also the width of the
 * TLB tags the native backend compares inline (mmu/tlb.h asserts it), so
 * widening it changes the entry layout and the code generator.  GuestPhys
 * can be widened here alone (PAE above 4 GiB): every function that
 * takes or returns one uses the typedef, with no casts of function
 * pointers in between.  `make check-width` compiles the sources with
 * TX86_GUEST_PHYS_64 (GuestPhys = uint64_t, a check only, never a real
 * build) and -Werror for mismatched pointer types, so a uint32_t left in
 * a GuestPhys signature or callback fails.
 */
#ifndef TX86_ADDR_H
#define TX86_ADDR_H

#include <stdint.h>

typedef uint32_t GuestVirt;
#ifdef TX86_GUEST_PHYS_64
typedef uint64_t GuestPhys;             /* make check-width only */
#else
typedef uint32_t GuestPhys;
#endif
#define GUEST_PHYS_NONE ((GuestPhys)-1)    /* "no second page" */

#endif
