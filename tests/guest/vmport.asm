; vmport.asm - guest test: the VMware backdoor (port 0x5658, src/devices/vmport.c)
; through a real 32-bit IN: GETVERSION writes EBX beside the IN's EAX, the
; other registers stay; without the magic, or with an unknown command, EAX
; reads all ones and EBX stays; the
; vmmouse start of Linux's driver (READ_ID, STATUS, DATA, REQUEST_ABSOLUTE)
; and DISABLE.  Checks that the CPU sees registers a port device wrote, on
; each backend.  The same results under QEMU 7.2 -M pc (vmport=auto).
; EXPECT-STATUS: 1
%include "tests/guest/msr_lib.inc"

%define MAGIC 0x564D5868

%macro BACKDOOR 2               ; command, EBX argument
        mov eax, MAGIC
        mov ebx, %2
        mov ecx, %1
        mov edx, 0x5658
        in eax, dx
%endmacro

tests:
; ------------------------------------------------------------ GETVERSION
        mov esi, 0x11111111
        mov edi, 0x22222222
        BACKDOOR 10, 0
        CHECK eax, 6
        CHECK ebx, MAGIC
        CHECK edx, 0x5658
        CHECK esi, 0x11111111
        CHECK edi, 0x22222222
        mov eax, 0x12345678             ; no magic: all ones
        mov ebx, 0xAAAA5555
        mov ecx, 10
        mov edx, 0x5658
        in eax, dx
        CHECK eax, 0xFFFFFFFF
        CHECK ebx, 0xAAAA5555
        BACKDOOR 99, 0xAAAA5555         ; unknown command
        CHECK eax, 0xFFFFFFFF
        CHECK ebx, 0xAAAA5555
        REPORT "getversion"

; ------------------------------------------------------------ vmmouse
        BACKDOOR 41, 0x45414552         ; READ_ID: enable, queue the version id
        BACKDOOR 40, 0                  ; STATUS: one word queued
        CHECK ax, 1
        BACKDOOR 39, 1                  ; DATA: one word
        CHECK eax, 0x3442554A
        BACKDOOR 40, 0
        CHECK ax, 0
        BACKDOOR 41, 0x53424152         ; REQUEST_ABSOLUTE
        BACKDOOR 40, 0
        CHECK eax, 0
        BACKDOOR 41, 0xF5               ; DISABLE
        BACKDOOR 40, 0
        CHECK eax, 0xFFFF0000
        REPORT "vmmouse"
        jmp finish
        ROM_END
