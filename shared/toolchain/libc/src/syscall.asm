; The one place where the libc enters the kernel. C code cannot issue `syscall` itself (the
; compiler has no inline assembly), so every wrapper calls this function.
;   long __syscall6(long number, long a1, long a2, long a3, long a4, long a5, long a6)
; returns the raw kernel result: -4095..-1 is -errno.
        global  __syscall6

        section .text
__syscall6:
        mov     rax, rdi
        mov     rdi, rsi
        mov     rsi, rdx
        mov     rdx, rcx
        mov     r10, r8
        mov     r8, r9
        mov     r9, [rsp+8]             ; the 7th argument is on the stack
        syscall
        ret

; Where a signal handler returns to: the kernel's rt_sigreturn restores the interrupted context.
; sigaction installs it as sa_restorer (SA_RESTORER), as glibc does with its own __restore_rt.
        global  __restore_rt
__restore_rt:
        mov     eax, 15                 ; rt_sigreturn
        syscall
