#!/usr/bin/env python3
"""make-block-seeds.py - writes the image-format seeds of the block fuzz
harness (tests/fuzz/harness/fuzz_block.c) into tests/fuzz/corpus/block/.

    python3 tests/fuzz/make-block-seeds.py      (needs qemu-img; run by hand,
                                                 the seeds are checked in)

Each seed is the harness's input: flags (block_* calls, exact image size),
the format's index in formats[], a size byte, a few read/write/flush
operations, the separator, then a small image: qcow2 v2/v3 with 512-byte
clusters, compressed qcow2, VMDK sparse (its first 64 KiB) and a descriptor
with ZERO extents, VDI static/dynamic, VHD fixed/dynamic.  The VDI and the
dynamic VHD with data are built here with 4 KiB blocks from the published
layouts (qemu-img makes 1-2 MiB blocks: too large for a seed).
"""
import os
import struct
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(TOP, "tests", "fuzz", "corpus", "block")
SEP = b"\n--part--\n"
# formats[] of fuzz_block.c
FMT = {"probe": 0, "raw": 1, "qcow2": 2, "vmdk": 3, "vdi": 4, "vpc": 5}


def ops():
    """read 0+8, write 1+4, read 0+16, flush, write 20+2 (op, u32 sector, u8 count)"""
    out = b""
    for op, sector, count in ((0, 0, 8), (1, 1, 4), (0, 0, 16), (2, 0, 0), (1, 20, 2)):
        out += bytes([op]) + struct.pack("<I", sector) + bytes([count])
    return out


def seed(name, fmt, image, flags=0x20):
    data = bytes([flags, FMT[fmt], 0]) + ops() + SEP + image
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def pattern(size):
    b = bytearray(size)
    for i in range(size):
        s = i // 512
        b[i] = 0 if (s // 3) % 2 else (s * 31 + i) & 0xFF
    return bytes(b)


def vdi(static, blocks=4, bs=4096):
    hdr = bytearray(512)
    hdr[:40] = b"<<< Oracle VM VirtualBox Disk Image >>>\n"
    struct.pack_into("<III", hdr, 0x40, 0xBEDA107F, 0x00010001, 0x190)
    struct.pack_into("<II", hdr, 0x4C, 2 if static else 1, 0)
    struct.pack_into("<II", hdr, 0x154, 512, 1024)        # block map, data
    struct.pack_into("<I", hdr, 0x168, 512)
    struct.pack_into("<QIIII", hdr, 0x170, blocks * bs, bs, 0, blocks, blocks if static else 2)
    bmap = bytearray(b"\xff" * 512)
    order = range(blocks) if static else (None, 1, None, 0)   # dynamic: 2 blocks, swapped
    data = b""
    for i, idx in enumerate(order):
        if idx is not None:
            struct.pack_into("<I", bmap, i * 4, idx)
    for i in range(blocks if static else 2):
        data += pattern(bs)[::-1] if i % 2 else pattern(bs)
    return bytes(hdr) + bytes(bmap) + data


def vhd_checksum(b):
    return (~sum(b)) & 0xFFFFFFFF


def vhd_dynamic(bs=4096, blocks=4):
    size = bs * blocks
    footer = bytearray(512)
    footer[:8] = b"conectix"
    struct.pack_into(">IIQ", footer, 8, 2, 0x10000, 512)
    footer[28:32] = b"tx86"
    struct.pack_into(">QQ", footer, 40, size, size)
    struct.pack_into(">HBBI", footer, 56, 2, 4, 4, 3)
    struct.pack_into(">I", footer, 64, vhd_checksum(footer))
    dyn = bytearray(1024)
    dyn[:8] = b"cxsparse"
    struct.pack_into(">QQIII", dyn, 8, 0xFFFFFFFFFFFFFFFF, 1536, 0x10000, blocks, bs)
    struct.pack_into(">I", dyn, 36, vhd_checksum(dyn))
    bat = bytearray(b"\xff" * 512)
    blk0 = 2048 // 512                                    # sectors
    struct.pack_into(">I", bat, 0, blk0)
    struct.pack_into(">I", bat, 8, blk0 + 1 + bs // 512)
    bitmap0 = b"\xa5" + bytes(511)                        # some sectors absent
    bitmap2 = b"\xff" * (bs // 512 // 8) + bytes(512 - bs // 512 // 8)
    body = bitmap0 + pattern(bs) + bitmap2 + pattern(bs)[::-1]
    return bytes(footer) + bytes(dyn) + bytes(bat) + body + bytes(footer)


def main():
    if subprocess.run(["sh", "-c", "command -v qemu-img"], capture_output=True).returncode:
        sys.exit("make-block-seeds: qemu-img is missing (apt-get install qemu-utils)")
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        raw = os.path.join(d, "d.raw")
        with open(raw, "wb") as f:
            f.write(pattern(16384))

        def conv(opts, name):
            path = os.path.join(d, name)
            subprocess.run(["qemu-img", "convert", "-q", "-f", "raw"] + opts + [raw, path],
                           check=True)
            with open(path, "rb") as f:
                return f.read()

        seed("qcow2-v3", "qcow2", conv(["-O", "qcow2", "-o", "cluster_size=512"], "a"))
        seed("qcow2-v2", "probe", conv(["-O", "qcow2", "-o", "compat=0.10,cluster_size=512"],
                                       "b"))
        seed("qcow2-compressed", "qcow2", conv(["-c", "-O", "qcow2", "-o", "cluster_size=4096"],
                                               "c"))
        seed("qcow2-snapshot-mode", "qcow2",
             conv(["-O", "qcow2", "-o", "cluster_size=1024"], "e"), flags=0x28)
        seed("vmdk-sparse", "vmdk", conv(["-O", "vmdk"], "f")[:65536], flags=0x28)
        seed("vmdk-descriptor", "probe",
             b'# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n'
             b'createType="monolithicFlat"\n\n# Extent description\nRW 64 ZERO\n'
             b'RDONLY 32 ZERO\n\nddb.adapterType = "ide"\n', flags=0x24)
        seed("vpc-fixed", "vpc", conv(["-O", "vpc", "-o", "subformat=fixed"], "g"), flags=0x24)
        seed("vpc-dynamic", "probe", vhd_dynamic(), flags=0x24)
        seed("vdi-static", "vdi", vdi(True), flags=0x24)
        seed("vdi-dynamic", "probe", vdi(False), flags=0x24)


if __name__ == "__main__":
    main()
