// A SIGSEGV handler reads the interrupted context (ucontext_t): trap number, error code, fault
// address; it moves RIP past the faulting instruction and returns, so rt_sigreturn resumes there.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static volatile int faults;

static void on_segv(int sig, siginfo_t *info, void *context) {
  ucontext_t *uc = context;
  greg_t *regs = uc->uc_mcontext.gregs;
  char msg[160];
  int n = snprintf(msg, sizeof msg, "sig %d code %d addr %p trapno %lld err %lld cr2 %llx\n", sig, info->si_code,
                   info->si_addr, (long long)regs[REG_TRAPNO], (long long)regs[REG_ERR], (unsigned long long)regs[REG_CR2]);
  write(1, msg, (size_t)n);
  faults++;
  regs[REG_RIP] += 3; /* the faulting "mov eax, [rax]" / "mov [rax], edx" below is 2 bytes, plus a nop */
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  int value = 7;
  __asm__ volatile("mov $0x18, %%rax\n\tmov (%%rax), %%eax\n\tnop" : "+a"(value) : : "memory");
  printf("after the read fault: value %d\n", value);
  __asm__ volatile("mov $0x28, %%rax\n\tmov %%edx, (%%rax)\n\tnop" : : : "rax", "memory");
  printf("after the write fault: %d faults\n", faults);
  sigset_t mask;
  sigprocmask(SIG_SETMASK, NULL, &mask);
  printf("SIGSEGV blocked after the handler returned: %d\n", sigismember(&mask, SIGSEGV));
  return 0;
}
