/*
 * tests/boot/hello.c - the smallest C program, built with `gcc -m32` static
 * and dynamic for the Debian boot test (tests/boot/debian.sh): its startup
 * code (crt1.o, crtbegin.o) is what every gcc-built program runs.
 */
#include <stdio.h>

int main(void)
{
    printf("hello, world\n");
    return 0;
}
