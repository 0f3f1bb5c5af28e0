# tests/boot/ctypes_qsort.py - a Python ctypes callback for the Debian boot
# test (tests/boot/debian.sh): libc's qsort calls back into Python through a
# libffi closure (which starts with endbr32 on i386).  Prints the sorted
# array and the number of callbacks' argument checks that failed (0).
import ctypes
import ctypes.util

libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
values = [31, -4, 1000000, 7, 0, 7, -123456, 42, 5, 99]
Array = ctypes.c_int * len(values)
arr = Array(*values)
bad = 0

CMP = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))


def compare(a, b):
    global bad
    x, y = a[0], b[0]
    if x not in values or y not in values:
        bad += 1
    return (x > y) - (x < y)


libc.qsort.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, CMP]
libc.qsort.restype = None
libc.qsort(arr, len(arr), ctypes.sizeof(ctypes.c_int), CMP(compare))
print("ctypes qsort:", " ".join(str(v) for v in arr))
print("ctypes callback argument errors:", bad)
# a callback with doubles and a 64-bit integer through a plain function pointer
F = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double, ctypes.c_longlong, ctypes.c_int)
f = F(lambda d, q, i: d * 2 + q + i)
print("ctypes callback doubles: %.3f" % f(1.25, 1 << 40, -3))
