; Process entry for programs linked with Memscape's libc.
; The kernel starts us with rsp -> argc, argv[], NULL, envp[], NULL, auxv pairs, and rdx holding
; a function to register with atexit (the dynamic loader's; 0 for static programs).
        extern  __libc_start_main, __ehdr_start, __rela_dyn_start, __rela_dyn_end
        global  _start

        section .text
_start:
        xor     ebp, ebp                ; marks the outermost frame for backtraces, as glibc's _start
        mov     r12, rdx
        ; A static PIE must apply its own R_X86_64_RELATIVE entries before any C code reads a
        ; pointer from .data (the linker lists them between __rela_dyn_start and __rela_dyn_end;
        ; the table is empty for -no-pie).
        lea     r8, [rel __ehdr_start]
        lea     r9, [rel __rela_dyn_start]
        lea     r10, [rel __rela_dyn_end]
.relocate:
        cmp     r9, r10
        jae     .relocated
        mov     rax, [r9]
        mov     rdx, [r9+16]
        add     rdx, r8
        mov     [r8+rax], rdx
        add     r9, 24
        jmp     .relocate
.relocated:
        mov     rdi, rsp                ; the initial stack: __libc_start_main parses it
        mov     rsi, r12
        and     rsp, -16
        call    __libc_start_main
        hlt                             ; not reached: __libc_start_main ends with exit()
