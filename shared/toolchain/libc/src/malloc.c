/*
 * malloc following glibc 2.36's ptmalloc for a single thread: the same chunk format, bins,
 * tcache with safe-linking, fastbins, unsorted/small/large bins, top chunk grown with brk,
 * mmapped chunks above the mmap threshold, and the same integrity checks and messages. The
 * names (main_arena, mp_, tcache, chunk macros) are glibc's, so glibc's documentation, heap
 * exploitation tutorials and a heap view reading `main_arena` all apply unchanged.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "internal.h"

#define SIZE_SZ 8UL
#define MALLOC_ALIGNMENT 16UL
#define MALLOC_ALIGN_MASK (MALLOC_ALIGNMENT - 1)
#define CHUNK_HDR_SZ (2 * SIZE_SZ)
#define MIN_CHUNK_SIZE 32UL
#define MINSIZE 32UL

#define PREV_INUSE 0x1UL
#define IS_MMAPPED 0x2UL
#define NON_MAIN_ARENA 0x4UL
#define SIZE_BITS (PREV_INUSE | IS_MMAPPED | NON_MAIN_ARENA)

#define NBINS 128
#define NSMALLBINS 64
#define NFASTBINS 10
#define BINMAPSHIFT 5
#define BITSPERMAP (1U << BINMAPSHIFT)
#define BINMAPSIZE (NBINS / BITSPERMAP)
#define MIN_LARGE_SIZE ((unsigned long)NSMALLBINS * MALLOC_ALIGNMENT)
#define DEFAULT_MXFAST (64 * SIZE_SZ / 4)
#define FASTBIN_CONSOLIDATION_THRESHOLD 65536UL
#define DEFAULT_TOP_PAD (128 * 1024UL)
#define DEFAULT_MMAP_THRESHOLD (128 * 1024UL)
#define DEFAULT_MMAP_THRESHOLD_MAX (4 * 1024 * 1024 * sizeof(long))
#define DEFAULT_TRIM_THRESHOLD (128 * 1024UL)
#define DEFAULT_MMAP_MAX 65536
#define MAX_ITERS 10000

#define TCACHE_MAX_BINS 64
#define TCACHE_FILL_COUNT 7

struct malloc_chunk {
  size_t mchunk_prev_size; /* size of the previous chunk, if it is free */
  size_t mchunk_size;      /* size in bytes including the header, plus the flag bits */
  struct malloc_chunk *fd; /* free chunks only: the bin's doubly linked list */
  struct malloc_chunk *bk;
  struct malloc_chunk *fd_nextsize; /* free large chunks only: the next different size */
  struct malloc_chunk *bk_nextsize;
};
typedef struct malloc_chunk *mchunkptr;

/* Field for field glibc's struct malloc_state (one arena: the main one). */
struct malloc_state {
  int mutex;
  int flags;
  int have_fastchunks;
  mchunkptr fastbinsY[NFASTBINS];
  mchunkptr top;
  mchunkptr last_remainder;
  mchunkptr bins[NBINS * 2 - 2];
  unsigned int binmap[BINMAPSIZE];
  struct malloc_state *next;
  struct malloc_state *next_free;
  size_t attached_threads;
  size_t system_mem;
  size_t max_system_mem;
};

/* glibc's struct malloc_par. */
struct malloc_par {
  unsigned long trim_threshold;
  size_t top_pad;
  size_t mmap_threshold;
  size_t arena_test;
  size_t arena_max;
  int n_mmaps;
  int n_mmaps_max;
  int max_n_mmaps;
  int no_dyn_threshold;
  size_t mmapped_mem;
  size_t max_mmapped_mem;
  char *sbrk_base;
  size_t tcache_bins;
  size_t tcache_max_bytes;
  size_t tcache_count;
  size_t tcache_unsorted_limit;
};

typedef struct tcache_entry {
  struct tcache_entry *next;
  uintptr_t key; /* tcache_key while the chunk is in the tcache: the double-free check */
} tcache_entry;

typedef struct tcache_perthread_struct {
  uint16_t counts[TCACHE_MAX_BINS];
  tcache_entry *entries[TCACHE_MAX_BINS];
} tcache_perthread_struct;

struct malloc_state main_arena;
struct malloc_par mp_;
tcache_perthread_struct *tcache;
uintptr_t tcache_key;
static unsigned long global_max_fast;
static int malloc_initialized;

#define chunk2mem(p) ((void *)((char *)(p) + CHUNK_HDR_SZ))
#define mem2chunk(mem) ((mchunkptr)((char *)(mem) - CHUNK_HDR_SZ))
#define aligned_OK(m) (((unsigned long)(m) & MALLOC_ALIGN_MASK) == 0)
#define misaligned_chunk(p) ((uintptr_t)chunk2mem(p) & MALLOC_ALIGN_MASK)
#define request2size(req) \
  (((req) + SIZE_SZ + MALLOC_ALIGN_MASK < MINSIZE) ? MINSIZE : ((req) + SIZE_SZ + MALLOC_ALIGN_MASK) & ~MALLOC_ALIGN_MASK)

#define chunksize_nomask(p) ((p)->mchunk_size)
#define chunksize(p) (chunksize_nomask(p) & ~SIZE_BITS)
#define prev_size(p) ((p)->mchunk_prev_size)
#define set_prev_size(p, sz) ((p)->mchunk_prev_size = (sz))
#define prev_inuse(p) ((p)->mchunk_size & PREV_INUSE)
#define chunk_is_mmapped(p) ((p)->mchunk_size & IS_MMAPPED)
#define chunk_at_offset(p, s) ((mchunkptr)((char *)(p) + (s)))
#define next_chunk(p) ((mchunkptr)((char *)(p) + chunksize(p)))
#define inuse_bit_at_offset(p, s) (((mchunkptr)((char *)(p) + (s)))->mchunk_size & PREV_INUSE)
#define set_inuse_bit_at_offset(p, s) (((mchunkptr)((char *)(p) + (s)))->mchunk_size |= PREV_INUSE)
#define clear_inuse_bit_at_offset(p, s) (((mchunkptr)((char *)(p) + (s)))->mchunk_size &= ~PREV_INUSE)
#define inuse(p) ((((mchunkptr)((char *)(p) + chunksize(p)))->mchunk_size) & PREV_INUSE)
#define set_head_size(p, s) ((p)->mchunk_size = (((p)->mchunk_size & SIZE_BITS) | (s)))
#define set_head(p, s) ((p)->mchunk_size = (s))
#define set_foot(p, s) (((mchunkptr)((char *)(p) + (s)))->mchunk_prev_size = (s))

/* Safe-linking (glibc 2.32+): a stored list pointer is XORed with its own address >> 12. */
#define PROTECT_PTR(pos, ptr) ((void *)((((size_t)(pos)) >> 12) ^ ((size_t)(ptr))))
#define REVEAL_PTR(ptr) PROTECT_PTR(&(ptr), ptr)

#define bin_at(m, i) ((mchunkptr)((char *)&((m)->bins[((i) - 1) * 2]) - offsetof(struct malloc_chunk, fd)))
#define next_bin(b) ((mchunkptr)((char *)(b) + (sizeof(mchunkptr) << 1)))
#define first(b) ((b)->fd)
#define last(b) ((b)->bk)
#define unsorted_chunks(m) (bin_at(m, 1))
#define initial_top(m) (unsorted_chunks(m))
#define in_smallbin_range(sz) ((unsigned long)(sz) < MIN_LARGE_SIZE)
#define smallbin_index(sz) ((unsigned)((sz) >> 4))
#define largebin_index(sz)                                                      \
  (((((unsigned long)(sz)) >> 6) <= 48) ? 48 + (unsigned)(((unsigned long)(sz)) >> 6)  \
   : ((((unsigned long)(sz)) >> 9) <= 20) ? 91 + (unsigned)(((unsigned long)(sz)) >> 9) \
   : ((((unsigned long)(sz)) >> 12) <= 10) ? 110 + (unsigned)(((unsigned long)(sz)) >> 12) \
   : ((((unsigned long)(sz)) >> 15) <= 4) ? 119 + (unsigned)(((unsigned long)(sz)) >> 15) \
   : ((((unsigned long)(sz)) >> 18) <= 2) ? 124 + (unsigned)(((unsigned long)(sz)) >> 18) \
   : 126)
#define bin_index(sz) (in_smallbin_range(sz) ? smallbin_index(sz) : largebin_index(sz))
#define idx2block(i) ((i) >> BINMAPSHIFT)
#define idx2bit(i) (1U << ((i) & ((1U << BINMAPSHIFT) - 1)))
#define mark_bin(m, i) ((m)->binmap[idx2block(i)] |= idx2bit(i))
#define fastbin_index(sz) ((((unsigned int)(sz)) >> 4) - 2)
#define csize2tidx(x) (((x) - MINSIZE + MALLOC_ALIGNMENT - 1) / MALLOC_ALIGNMENT)
#define tidx2usize(idx) (((size_t)(idx)) * MALLOC_ALIGNMENT + MINSIZE - SIZE_SZ)
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((a) - 1))

static void *_int_malloc(struct malloc_state *av, size_t bytes);
static void _int_free(struct malloc_state *av, mchunkptr p, int have_lock);

static void malloc_printerr(const char *message) __attribute__((noreturn));
static void malloc_printerr(const char *message) { __libc_fatal(message); }

/* __malloc_assert's format since glibc 2.36. */
static void malloc_assert_failed(const char *function, const char *assertion) __attribute__((noreturn));
static void malloc_assert_failed(const char *function, const char *assertion) {
  const char *parts[5] = {"Fatal glibc error: malloc assertion failure in ", function, ": ", assertion, "\n"};
  for (int i = 0; i < 5; i++) __write_all(2, parts[i], strlen(parts[i]));
  abort();
}

static void malloc_init_state(struct malloc_state *av) {
  for (int i = 1; i < NBINS; i++) {
    mchunkptr bin = bin_at(av, i);
    bin->fd = bin->bk = bin;
  }
  global_max_fast = (DEFAULT_MXFAST + SIZE_SZ) & ~MALLOC_ALIGN_MASK;
  av->have_fastchunks = 0;
  av->top = initial_top(av);
}

static void ptmalloc_init(void) {
  malloc_initialized = 1;
  /* tcache_key_initialize: random bits from getrandom (GRND_NONBLOCK). */
  if (__syscall6(SYS_getrandom, (long)&tcache_key, sizeof tcache_key, 1, 0, 0, 0) != (long)sizeof tcache_key)
    tcache_key = (uintptr_t)&tcache_key * 0x9e3779b97f4a7c15UL;
  mp_.top_pad = DEFAULT_TOP_PAD;
  mp_.n_mmaps_max = DEFAULT_MMAP_MAX;
  mp_.mmap_threshold = DEFAULT_MMAP_THRESHOLD;
  mp_.trim_threshold = DEFAULT_TRIM_THRESHOLD;
  mp_.arena_test = 8;
  mp_.tcache_bins = TCACHE_MAX_BINS;
  mp_.tcache_max_bytes = tidx2usize(TCACHE_MAX_BINS - 1);
  mp_.tcache_count = TCACHE_FILL_COUNT;
  malloc_init_state(&main_arena);
}

/* ---- tcache ---- */

static void tcache_put(mchunkptr chunk, size_t tc_idx) {
  tcache_entry *e = (tcache_entry *)chunk2mem(chunk);
  e->key = tcache_key;
  e->next = PROTECT_PTR(&e->next, tcache->entries[tc_idx]);
  tcache->entries[tc_idx] = e;
  ++(tcache->counts[tc_idx]);
}

static void *tcache_get(size_t tc_idx) {
  tcache_entry *e = tcache->entries[tc_idx];
  if (!aligned_OK(e)) malloc_printerr("malloc(): unaligned tcache chunk detected");
  tcache->entries[tc_idx] = REVEAL_PTR(e->next);
  --(tcache->counts[tc_idx]);
  e->key = 0;
  return e;
}

static void tcache_init(void) {
  void *victim = _int_malloc(&main_arena, sizeof(tcache_perthread_struct));
  if (victim != NULL) {
    tcache = victim;
    memset(tcache, 0, sizeof(tcache_perthread_struct));
  }
}

#define MAYBE_INIT_TCACHE() \
  if (tcache == NULL) tcache_init()

/* ---- getting memory from the system ---- */

static void *sysmalloc_mmap(size_t nb) {
  size_t size = ALIGN_UP(nb + SIZE_SZ, __libc_pagesize);
  if (size <= nb) return NULL;
  char *mm = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mm == MAP_FAILED) return NULL;
  /* The page is 16-aligned, so the chunk starts at the mapping and the user pointer is +0x10. */
  mchunkptr p = (mchunkptr)mm;
  set_prev_size(p, 0);
  set_head(p, size | IS_MMAPPED);
  mp_.n_mmaps++;
  if (mp_.n_mmaps > mp_.max_n_mmaps) mp_.max_n_mmaps = mp_.n_mmaps;
  mp_.mmapped_mem += size;
  if (mp_.mmapped_mem > mp_.max_mmapped_mem) mp_.max_mmapped_mem = mp_.mmapped_mem;
  return chunk2mem(p);
}

static void *sysmalloc(size_t nb, struct malloc_state *av) {
  size_t pagesize = __libc_pagesize;
  if (nb >= mp_.mmap_threshold && mp_.n_mmaps < mp_.n_mmaps_max) {
    void *mm = sysmalloc_mmap(nb);
    if (mm != NULL) return mm;
  }
  mchunkptr old_top = av->top;
  size_t old_size = chunksize(old_top);
  char *old_end = (char *)chunk_at_offset(old_top, old_size);
  if (!((old_top == initial_top(av) && old_size == 0) ||
        (old_size >= MINSIZE && prev_inuse(old_top) && ((unsigned long)old_end & (pagesize - 1)) == 0)))
    malloc_assert_failed("sysmalloc",
                         "(old_top == initial_top (av) && old_size == 0) || ((unsigned long) (old_size) >= MINSIZE && "
                         "prev_inuse (old_top) && ((unsigned long) old_end & (pagesize - 1)) == 0)");
  if (!(old_size < nb + MINSIZE))
    malloc_assert_failed("sysmalloc", "(unsigned long) (old_size) < (unsigned long) (nb + MINSIZE)");

  size_t size = nb + mp_.top_pad + MINSIZE;
  /* The heap is contiguous: the part of the old top already there counts. */
  if (old_size != 0) size -= old_size;
  size = ALIGN_UP(size, pagesize);
  char *brk = (char *)-1;
  if ((long)size > 0) brk = sbrk((long)size);
  if (brk == (char *)-1) {
    /* brk failed (another mapping is in the way): glibc then maps at least 1 MiB instead. */
    size_t mmap_size = ALIGN_UP(nb + mp_.top_pad + MINSIZE, pagesize);
    if (mmap_size < 1024 * 1024) mmap_size = 1024 * 1024;
    brk = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (brk == MAP_FAILED) {
      errno = ENOMEM;
      return NULL;
    }
    size = mmap_size;
    av->flags |= 2; /* NONCONTIGUOUS_BIT */
    old_end = NULL;
  }
  if (mp_.sbrk_base == NULL) mp_.sbrk_base = brk;
  av->system_mem += size;
  if (brk == old_end) {
    set_head(old_top, (size + old_size) | PREV_INUSE);
  } else {
    /* First call, or someone else moved the break: start a new top, 16-aligned, whose end is
       on a page boundary; fence off the old top and free what remains of it. */
    size_t correction = 0;
    size_t front_misalign = (size_t)chunk2mem(brk) & MALLOC_ALIGN_MASK;
    char *aligned_brk = brk;
    if (front_misalign > 0) {
      correction = MALLOC_ALIGNMENT - front_misalign;
      aligned_brk += correction;
    }
    /* sysmalloc asked for size - old_size assuming contiguity; ask again for the old part. */
    if (!(av->flags & 2)) correction += old_size;
    size_t end_misalign = (size_t)(brk + size + correction);
    correction += ALIGN_UP(end_misalign, pagesize) - end_misalign;
    char *snd_brk = (av->flags & 2) ? brk + size : sbrk((long)correction);
    if (snd_brk == (char *)-1) {
      correction = 0;
      snd_brk = sbrk(0);
    } else if (!(av->flags & 2)) {
      av->system_mem += correction;
    } else {
      correction = 0;
    }
    av->top = (mchunkptr)aligned_brk;
    set_head(av->top, (size_t)(snd_brk - aligned_brk + correction) | PREV_INUSE);
    if (old_size != 0) {
      old_size = (old_size - 2 * CHUNK_HDR_SZ) & ~MALLOC_ALIGN_MASK;
      set_head(old_top, old_size | PREV_INUSE);
      set_head(chunk_at_offset(old_top, old_size), CHUNK_HDR_SZ | PREV_INUSE);
      set_head(chunk_at_offset(old_top, old_size + CHUNK_HDR_SZ), CHUNK_HDR_SZ | PREV_INUSE);
      if (old_size >= MINSIZE) _int_free(av, old_top, 1);
    }
  }
  if (av->system_mem > av->max_system_mem) av->max_system_mem = av->system_mem;

  mchunkptr p = av->top;
  size = chunksize(p);
  if (size >= nb + MINSIZE) {
    mchunkptr remainder = chunk_at_offset(p, nb);
    av->top = remainder;
    set_head(p, nb | PREV_INUSE);
    set_head(remainder, (size - nb) | PREV_INUSE);
    return chunk2mem(p);
  }
  errno = ENOMEM;
  return NULL;
}

/* Gives memory at the end of the heap back to the system when the top chunk is large. */
static int systrim(size_t pad, struct malloc_state *av) {
  size_t pagesize = __libc_pagesize;
  size_t top_size = chunksize(av->top);
  size_t top_area = top_size - MINSIZE - 1;
  if (top_area <= pad) return 0;
  size_t extra = ALIGN_DOWN(top_area - pad, pagesize);
  if (extra == 0) return 0;
  char *current_brk = sbrk(0);
  if (current_brk == (char *)av->top + top_size) {
    sbrk(-(long)extra);
    char *new_brk = sbrk(0);
    if (new_brk != (char *)-1) {
      size_t released = (size_t)(current_brk - new_brk);
      if (released != 0) {
        av->system_mem -= released;
        set_head(av->top, (top_size - released) | PREV_INUSE);
        return 1;
      }
    }
  }
  return 0;
}

static void munmap_chunk(mchunkptr p) {
  size_t size = chunksize(p);
  uintptr_t mem = (uintptr_t)chunk2mem(p);
  uintptr_t block = (uintptr_t)p - prev_size(p);
  size_t total_size = prev_size(p) + size;
  uintptr_t offset_in_page = mem & (__libc_pagesize - 1);
  if (((block | total_size) & (__libc_pagesize - 1)) != 0 || (offset_in_page & (offset_in_page - 1)) != 0)
    malloc_printerr("munmap_chunk(): invalid pointer");
  mp_.n_mmaps--;
  mp_.mmapped_mem -= total_size;
  munmap((void *)block, total_size);
}

static mchunkptr mremap_chunk(mchunkptr p, size_t new_size) {
  size_t pagesize = __libc_pagesize;
  size_t offset = prev_size(p);
  size_t size = chunksize(p);
  if (((size + offset) & (pagesize - 1)) != 0 || (((uintptr_t)p - offset) & (pagesize - 1)) != 0)
    malloc_printerr("mremap_chunk(): invalid pointer");
  new_size = ALIGN_UP(new_size + offset + SIZE_SZ, pagesize);
  if (size + offset == new_size) return p;
  char *cp = mremap((char *)p - offset, size + offset, new_size, MREMAP_MAYMOVE);
  if (cp == MAP_FAILED) return NULL;
  p = (mchunkptr)(cp + offset);
  set_head(p, (new_size - offset) | IS_MMAPPED);
  mp_.mmapped_mem -= size + offset;
  mp_.mmapped_mem += new_size;
  if (mp_.mmapped_mem > mp_.max_mmapped_mem) mp_.max_mmapped_mem = mp_.mmapped_mem;
  return p;
}

/* ---- bins ---- */

static void unlink_chunk(mchunkptr p) {
  if (chunksize(p) != prev_size(next_chunk(p))) malloc_printerr("corrupted size vs. prev_size");
  mchunkptr fd = p->fd;
  mchunkptr bk = p->bk;
  if (fd->bk != p || bk->fd != p) malloc_printerr("corrupted double-linked list");
  fd->bk = bk;
  bk->fd = fd;
  if (!in_smallbin_range(chunksize_nomask(p)) && p->fd_nextsize != NULL) {
    if (p->fd_nextsize->bk_nextsize != p || p->bk_nextsize->fd_nextsize != p)
      malloc_printerr("corrupted double-linked list (not small)");
    if (fd->fd_nextsize == NULL) {
      if (p->fd_nextsize == p) {
        fd->fd_nextsize = fd->bk_nextsize = fd;
      } else {
        fd->fd_nextsize = p->fd_nextsize;
        fd->bk_nextsize = p->bk_nextsize;
        p->fd_nextsize->bk_nextsize = fd;
        p->bk_nextsize->fd_nextsize = fd;
      }
    } else {
      p->fd_nextsize->bk_nextsize = p->bk_nextsize;
      p->bk_nextsize->fd_nextsize = p->fd_nextsize;
    }
  }
}

/* Merges every fastbin chunk with its free neighbours into the unsorted bin (or the top). */
static void malloc_consolidate(struct malloc_state *av) {
  av->have_fastchunks = 0;
  mchunkptr unsorted_bin = unsorted_chunks(av);
  for (int i = 0; i < NFASTBINS; i++) {
    mchunkptr p = av->fastbinsY[i];
    av->fastbinsY[i] = NULL;
    while (p != NULL) {
      if (misaligned_chunk(p)) malloc_printerr("malloc_consolidate(): unaligned fastbin chunk detected");
      if (fastbin_index(chunksize(p)) != (unsigned)i) malloc_printerr("malloc_consolidate(): invalid chunk size");
      mchunkptr nextp = REVEAL_PTR(p->fd);
      size_t size = chunksize(p);
      mchunkptr nextchunk = chunk_at_offset(p, size);
      size_t nextsize = chunksize(nextchunk);
      if (!prev_inuse(p)) {
        size_t prevsize = prev_size(p);
        size += prevsize;
        p = chunk_at_offset(p, -(long)prevsize);
        if (chunksize(p) != prevsize) malloc_printerr("corrupted size vs. prev_size in fastbins");
        unlink_chunk(p);
      }
      if (nextchunk != av->top) {
        if (!inuse_bit_at_offset(nextchunk, nextsize)) {
          size += nextsize;
          unlink_chunk(nextchunk);
        } else {
          clear_inuse_bit_at_offset(nextchunk, 0);
        }
        mchunkptr first_unsorted = unsorted_bin->fd;
        unsorted_bin->fd = p;
        first_unsorted->bk = p;
        if (!in_smallbin_range(size)) {
          p->fd_nextsize = NULL;
          p->bk_nextsize = NULL;
        }
        set_head(p, size | PREV_INUSE);
        p->bk = unsorted_bin;
        p->fd = first_unsorted;
        set_foot(p, size);
      } else {
        size += nextsize;
        set_head(p, size | PREV_INUSE);
        av->top = p;
      }
      p = nextp;
    }
  }
}

/* Splits `victim` (already unlinked) into an nb-byte chunk and a remainder at the front of the
   unsorted bin; returns the user pointer. */
static void *split_to_unsorted(struct malloc_state *av, mchunkptr victim, size_t size, size_t nb, const char *corrupted_message,
                               int remember) {
  size_t remainder_size = size - nb;
  if (remainder_size < MINSIZE) {
    set_inuse_bit_at_offset(victim, size);
    return chunk2mem(victim);
  }
  mchunkptr remainder = chunk_at_offset(victim, nb);
  mchunkptr bck = unsorted_chunks(av);
  mchunkptr fwd = bck->fd;
  if (fwd->bk != bck) malloc_printerr(corrupted_message);
  remainder->bk = bck;
  remainder->fd = fwd;
  bck->fd = remainder;
  fwd->bk = remainder;
  if (remember) av->last_remainder = remainder;
  if (!in_smallbin_range(remainder_size)) {
    remainder->fd_nextsize = NULL;
    remainder->bk_nextsize = NULL;
  }
  set_head(victim, nb | PREV_INUSE);
  set_head(remainder, remainder_size | PREV_INUSE);
  set_foot(remainder, remainder_size);
  return chunk2mem(victim);
}

static void *_int_malloc(struct malloc_state *av, size_t bytes) {
  if (bytes > (size_t)PTRDIFF_MAX - 2 * MINSIZE) {
    errno = ENOMEM;
    return NULL;
  }
  size_t nb = request2size(bytes);
  size_t tc_idx = csize2tidx(nb);
  unsigned idx;

  if (nb <= global_max_fast) {
    idx = fastbin_index(nb);
    mchunkptr *fb = &av->fastbinsY[idx];
    mchunkptr victim = *fb;
    if (victim != NULL) {
      if (misaligned_chunk(victim)) malloc_printerr("malloc(): unaligned fastbin chunk detected 2");
      *fb = REVEAL_PTR(victim->fd);
      if (fastbin_index(chunksize(victim)) != idx) malloc_printerr("malloc(): memory corruption (fast)");
      /* Move the rest of this fastbin into the tcache while it has room. */
      if (tcache != NULL && tc_idx < mp_.tcache_bins) {
        mchunkptr tc_victim;
        while (tcache->counts[tc_idx] < mp_.tcache_count && (tc_victim = *fb) != NULL) {
          if (misaligned_chunk(tc_victim)) malloc_printerr("malloc(): unaligned fastbin chunk detected 3");
          *fb = REVEAL_PTR(tc_victim->fd);
          tcache_put(tc_victim, tc_idx);
        }
      }
      return chunk2mem(victim);
    }
  }

  if (in_smallbin_range(nb)) {
    idx = smallbin_index(nb);
    mchunkptr bin = bin_at(av, idx);
    mchunkptr victim = last(bin);
    if (victim != bin) {
      mchunkptr bck = victim->bk;
      if (bck->fd != victim) malloc_printerr("malloc(): smallbin double linked list corrupted");
      set_inuse_bit_at_offset(victim, nb);
      bin->bk = bck;
      bck->fd = bin;
      if (tcache != NULL && tc_idx < mp_.tcache_bins) {
        mchunkptr tc_victim;
        while (tcache->counts[tc_idx] < mp_.tcache_count && (tc_victim = last(bin)) != bin) {
          bck = tc_victim->bk;
          set_inuse_bit_at_offset(tc_victim, nb);
          bin->bk = bck;
          bck->fd = bin;
          tcache_put(tc_victim, tc_idx);
        }
      }
      return chunk2mem(victim);
    }
  } else {
    idx = largebin_index(nb);
    if (av->have_fastchunks) malloc_consolidate(av);
  }

  /* A chunk of exactly nb bytes found in the unsorted bin may go to the tcache first. */
  int tcache_nb = tcache != NULL && tc_idx < mp_.tcache_bins;
  int return_cached = 0;

  for (;;) {
    int iters = 0;
    mchunkptr victim;
    while ((victim = unsorted_chunks(av)->bk) != unsorted_chunks(av)) {
      mchunkptr bck = victim->bk;
      size_t size = chunksize(victim);
      mchunkptr next = chunk_at_offset(victim, size);
      if (size <= CHUNK_HDR_SZ || size > av->system_mem) malloc_printerr("malloc(): invalid size (unsorted)");
      if (chunksize_nomask(next) < CHUNK_HDR_SZ || chunksize_nomask(next) > av->system_mem)
        malloc_printerr("malloc(): invalid next size (unsorted)");
      if ((prev_size(next) & ~SIZE_BITS) != size) malloc_printerr("malloc(): mismatching next->prev_size (unsorted)");
      if (bck->fd != victim || victim->fd != unsorted_chunks(av))
        malloc_printerr("malloc(): unsorted double linked list corrupted");
      if (prev_inuse(next)) malloc_printerr("malloc(): invalid next->prev_inuse (unsorted)");

      /* A small request served from the last remainder: locality for runs of small mallocs. */
      if (in_smallbin_range(nb) && bck == unsorted_chunks(av) && victim == av->last_remainder && size > nb + MINSIZE) {
        size_t remainder_size = size - nb;
        mchunkptr remainder = chunk_at_offset(victim, nb);
        unsorted_chunks(av)->bk = unsorted_chunks(av)->fd = remainder;
        av->last_remainder = remainder;
        remainder->bk = remainder->fd = unsorted_chunks(av);
        if (!in_smallbin_range(remainder_size)) {
          remainder->fd_nextsize = NULL;
          remainder->bk_nextsize = NULL;
        }
        set_head(victim, nb | PREV_INUSE);
        set_head(remainder, remainder_size | PREV_INUSE);
        set_foot(remainder, remainder_size);
        return chunk2mem(victim);
      }

      if (bck->fd != victim) malloc_printerr("malloc(): corrupted unsorted chunks 3");
      unsorted_chunks(av)->bk = bck;
      bck->fd = unsorted_chunks(av);

      if (size == nb) {
        set_inuse_bit_at_offset(victim, size);
        if (tcache_nb && tcache->counts[tc_idx] < mp_.tcache_count) {
          tcache_put(victim, tc_idx);
          return_cached = 1;
          continue;
        }
        return chunk2mem(victim);
      }

      unsigned victim_index;
      mchunkptr fwd;
      if (in_smallbin_range(size)) {
        victim_index = smallbin_index(size);
        bck = bin_at(av, victim_index);
        fwd = bck->fd;
      } else {
        victim_index = largebin_index(size);
        bck = bin_at(av, victim_index);
        fwd = bck->fd;
        if (fwd != bck) {
          /* Large bins are sorted by decreasing size; fd_nextsize skips equal sizes. */
          size |= PREV_INUSE;
          if (size < chunksize_nomask(bck->bk)) {
            fwd = bck;
            bck = bck->bk;
            victim->fd_nextsize = fwd->fd;
            victim->bk_nextsize = fwd->fd->bk_nextsize;
            fwd->fd->bk_nextsize = victim->bk_nextsize->fd_nextsize = victim;
          } else {
            while (size < chunksize_nomask(fwd)) fwd = fwd->fd_nextsize;
            if (size == chunksize_nomask(fwd)) {
              fwd = fwd->fd;
            } else {
              victim->fd_nextsize = fwd;
              victim->bk_nextsize = fwd->bk_nextsize;
              if (fwd->bk_nextsize->fd_nextsize != fwd) malloc_printerr("malloc(): largebin double linked list corrupted (nextsize)");
              fwd->bk_nextsize = victim;
              victim->bk_nextsize->fd_nextsize = victim;
            }
            bck = fwd->bk;
            if (bck->fd != fwd) malloc_printerr("malloc(): largebin double linked list corrupted (bk)");
          }
        } else {
          victim->fd_nextsize = victim->bk_nextsize = victim;
        }
      }
      mark_bin(av, victim_index);
      victim->bk = bck;
      victim->fd = fwd;
      fwd->bk = victim;
      bck->fd = victim;
      if (++iters >= MAX_ITERS) break;
    }

    if (return_cached) return tcache_get(tc_idx);

    /* Large request: the smallest chunk that fits in its own (sorted) bin. */
    if (!in_smallbin_range(nb)) {
      mchunkptr bin = bin_at(av, idx);
      victim = first(bin);
      if (victim != bin && chunksize_nomask(victim) >= nb) {
        victim = victim->bk_nextsize;
        size_t size;
        while ((size = chunksize(victim)) < nb) victim = victim->bk_nextsize;
        if (victim != last(bin) && chunksize_nomask(victim) == chunksize_nomask(victim->fd)) victim = victim->fd;
        unlink_chunk(victim);
        return split_to_unsorted(av, victim, size, nb, "malloc(): corrupted unsorted chunks", 0);
      }
    }

    /* The next non-empty bin with larger chunks, found through the binmap. */
    ++idx;
    mchunkptr bin = bin_at(av, idx);
    unsigned block = idx2block(idx);
    unsigned map = av->binmap[block];
    unsigned bit = idx2bit(idx);
    for (;;) {
      if (bit > map || bit == 0) {
        do {
          if (++block >= BINMAPSIZE) goto use_top;
        } while ((map = av->binmap[block]) == 0);
        bin = bin_at(av, block << BINMAPSHIFT);
        bit = 1;
      }
      while ((bit & map) == 0) {
        bin = next_bin(bin);
        bit <<= 1;
      }
      victim = last(bin);
      if (victim == bin) {
        av->binmap[block] = map &= ~bit; /* a stale bit: the bin emptied */
        bin = next_bin(bin);
        bit <<= 1;
      } else {
        size_t size = chunksize(victim);
        unlink_chunk(victim);
        return split_to_unsorted(av, victim, size, nb, "malloc(): corrupted unsorted chunks 2", in_smallbin_range(nb));
      }
    }

  use_top:
    victim = av->top;
    size_t size = chunksize(victim);
    if (size > av->system_mem) malloc_printerr("malloc(): corrupted top size");
    if (size >= nb + MINSIZE) {
      mchunkptr remainder = chunk_at_offset(victim, nb);
      av->top = remainder;
      set_head(victim, nb | PREV_INUSE);
      set_head(remainder, (size - nb) | PREV_INUSE);
      return chunk2mem(victim);
    }
    if (av->have_fastchunks) {
      malloc_consolidate(av);
      idx = bin_index(nb);
    } else {
      return sysmalloc(nb, av);
    }
  }
}

static void _int_free(struct malloc_state *av, mchunkptr p, int have_lock) {
  size_t size = chunksize(p);
  if ((uintptr_t)p > (uintptr_t)-size || misaligned_chunk(p)) malloc_printerr("free(): invalid pointer");
  if (size < MINSIZE || !aligned_OK(size)) malloc_printerr("free(): invalid size");

  size_t tc_idx = csize2tidx(size);
  if (tcache != NULL && tc_idx < mp_.tcache_bins) {
    tcache_entry *e = (tcache_entry *)chunk2mem(p);
    /* The key marks chunks already in the tcache; a match may be chance, so walk the bin. */
    if (e->key == tcache_key) {
      size_t cnt = 0;
      for (tcache_entry *tmp = tcache->entries[tc_idx]; tmp != NULL; tmp = REVEAL_PTR(tmp->next), ++cnt) {
        if (cnt >= mp_.tcache_count) malloc_printerr("free(): too many chunks detected in tcache");
        if (!aligned_OK(tmp)) malloc_printerr("free(): unaligned chunk detected in tcache 2");
        if (tmp == e) malloc_printerr("free(): double free detected in tcache 2");
      }
    }
    if (tcache->counts[tc_idx] < mp_.tcache_count) {
      tcache_put(p, tc_idx);
      return;
    }
  }

  if (size <= global_max_fast) {
    mchunkptr next = chunk_at_offset(p, size);
    if (chunksize_nomask(next) <= CHUNK_HDR_SZ || chunksize(next) >= av->system_mem)
      malloc_printerr("free(): invalid next size (fast)");
    av->have_fastchunks = 1;
    unsigned idx = fastbin_index(size);
    mchunkptr *fb = &av->fastbinsY[idx];
    mchunkptr old = *fb;
    /* Only the bin's top entry is checked: free(a); free(b); free(a) goes through. */
    if (old == p) malloc_printerr("double free or corruption (fasttop)");
    p->fd = PROTECT_PTR(&p->fd, old);
    *fb = p;
    if (have_lock && old != NULL && fastbin_index(chunksize(old)) != idx) malloc_printerr("invalid fastbin entry (free)");
    return;
  }

  if (chunk_is_mmapped(p)) {
    munmap_chunk(p);
    return;
  }

  mchunkptr nextchunk = chunk_at_offset(p, size);
  if (p == av->top) malloc_printerr("double free or corruption (top)");
  if (!(av->flags & 2) && (char *)nextchunk >= (char *)av->top + chunksize(av->top))
    malloc_printerr("double free or corruption (out)");
  if (!prev_inuse(nextchunk)) malloc_printerr("double free or corruption (!prev)");
  size_t nextsize = chunksize(nextchunk);
  if (chunksize_nomask(nextchunk) <= CHUNK_HDR_SZ || nextsize >= av->system_mem)
    malloc_printerr("free(): invalid next size (normal)");

  if (!prev_inuse(p)) {
    size_t prevsize = prev_size(p);
    size += prevsize;
    p = chunk_at_offset(p, -(long)prevsize);
    if (chunksize(p) != prevsize) malloc_printerr("corrupted size vs. prev_size while consolidating");
    unlink_chunk(p);
  }

  if (nextchunk != av->top) {
    if (!inuse_bit_at_offset(nextchunk, nextsize)) {
      unlink_chunk(nextchunk);
      size += nextsize;
    } else {
      clear_inuse_bit_at_offset(nextchunk, 0);
    }
    mchunkptr bck = unsorted_chunks(av);
    mchunkptr fwd = bck->fd;
    if (fwd->bk != bck) malloc_printerr("free(): corrupted unsorted chunks");
    p->fd = fwd;
    p->bk = bck;
    if (!in_smallbin_range(size)) {
      p->fd_nextsize = NULL;
      p->bk_nextsize = NULL;
    }
    bck->fd = p;
    fwd->bk = p;
    set_head(p, size | PREV_INUSE);
    set_foot(p, size);
  } else {
    size += nextsize;
    set_head(p, size | PREV_INUSE);
    av->top = p;
  }

  if (size >= FASTBIN_CONSOLIDATION_THRESHOLD) {
    if (av->have_fastchunks) malloc_consolidate(av);
    if (chunksize(av->top) >= mp_.trim_threshold) systrim(mp_.top_pad, av);
  }
}

static void *_int_realloc(struct malloc_state *av, mchunkptr oldp, size_t oldsize, size_t nb) {
  if (chunksize_nomask(oldp) <= CHUNK_HDR_SZ || oldsize >= av->system_mem) malloc_printerr("realloc(): invalid old size");
  mchunkptr next = chunk_at_offset(oldp, oldsize);
  size_t nextsize = chunksize(next);
  if (chunksize_nomask(next) <= CHUNK_HDR_SZ || nextsize >= av->system_mem) malloc_printerr("realloc(): invalid next size");

  mchunkptr newp;
  size_t newsize;
  if (oldsize >= nb) {
    newp = oldp;
    newsize = oldsize;
  } else if (next == av->top && (newsize = oldsize + nextsize) >= nb + MINSIZE) {
    /* Grow into the top chunk. */
    set_head_size(oldp, nb);
    av->top = chunk_at_offset(oldp, nb);
    set_head(av->top, (newsize - nb) | PREV_INUSE);
    return chunk2mem(oldp);
  } else if (next != av->top && !inuse(next) && (newsize = oldsize + nextsize) >= nb) {
    /* Grow into the free chunk that follows. */
    newp = oldp;
    unlink_chunk(next);
  } else {
    void *newmem = _int_malloc(av, nb - MALLOC_ALIGN_MASK);
    if (newmem == NULL) return NULL;
    newp = mem2chunk(newmem);
    newsize = chunksize(newp);
    if (newp == next) {
      newsize += oldsize;
      newp = oldp;
    } else {
      memcpy(newmem, chunk2mem(oldp), oldsize - SIZE_SZ);
      _int_free(av, oldp, 1);
      return newmem;
    }
  }

  size_t remainder_size = newsize - nb;
  if (remainder_size < MINSIZE) {
    set_head_size(newp, newsize);
    set_inuse_bit_at_offset(newp, newsize);
  } else {
    /* Split off and free the unused tail. */
    mchunkptr remainder = chunk_at_offset(newp, nb);
    set_head_size(newp, nb);
    set_head(remainder, remainder_size | PREV_INUSE);
    set_inuse_bit_at_offset(remainder, remainder_size);
    _int_free(av, remainder, 1);
  }
  return chunk2mem(newp);
}

/* ---- the public functions ---- */

void *malloc(size_t bytes) {
  if (!malloc_initialized) ptmalloc_init();
  if (bytes > (size_t)PTRDIFF_MAX) {
    errno = ENOMEM;
    return NULL;
  }
  size_t tbytes = request2size(bytes);
  size_t tc_idx = csize2tidx(tbytes);
  MAYBE_INIT_TCACHE();
  if (tc_idx < mp_.tcache_bins && tcache != NULL && tcache->counts[tc_idx] > 0) return tcache_get(tc_idx);
  return _int_malloc(&main_arena, bytes);
}

void free(void *mem) {
  if (mem == NULL) return;
  int saved_errno = errno;
  mchunkptr p = mem2chunk(mem);
  if (chunk_is_mmapped(p)) {
    /* Dynamic threshold: a freed mmapped chunk raises the threshold to its size, so a program
       that keeps allocating that size gets it from the heap from now on. */
    if (!mp_.no_dyn_threshold && chunksize_nomask(p) > mp_.mmap_threshold && chunksize_nomask(p) <= DEFAULT_MMAP_THRESHOLD_MAX) {
      mp_.mmap_threshold = chunksize(p);
      mp_.trim_threshold = 2 * mp_.mmap_threshold;
    }
    munmap_chunk(p);
  } else {
    if (!malloc_initialized) ptmalloc_init();
    MAYBE_INIT_TCACHE();
    _int_free(&main_arena, p, 0);
  }
  errno = saved_errno;
}

void *calloc(size_t nmemb, size_t size) {
  size_t bytes = nmemb * size;
  if (size != 0 && bytes / size != nmemb) {
    errno = ENOMEM;
    return NULL;
  }
  if (!malloc_initialized) ptmalloc_init();
  MAYBE_INIT_TCACHE();
  /* glibc's calloc goes straight to _int_malloc: it never takes a chunk from the tcache. */
  mchunkptr oldtop = main_arena.top;
  size_t oldtopsize = chunksize(main_arena.top);
  void *mem = _int_malloc(&main_arena, bytes);
  if (mem == NULL) return NULL;
  mchunkptr p = mem2chunk(mem);
  if (chunk_is_mmapped(p)) return mem; /* fresh pages are already zero */
  size_t csz = chunksize(p);
  /* Memory just obtained from sbrk is already zero; clear only what was in the old top. */
  if (p == oldtop && csz > oldtopsize) csz = oldtopsize;
  memset(mem, 0, csz - SIZE_SZ);
  return mem;
}

void *realloc(void *oldmem, size_t bytes) {
  if (!malloc_initialized) ptmalloc_init();
  if (bytes == 0 && oldmem != NULL) {
    free(oldmem);
    return NULL;
  }
  if (oldmem == NULL) return malloc(bytes);
  mchunkptr oldp = mem2chunk(oldmem);
  size_t oldsize = chunksize(oldp);
  if ((uintptr_t)oldp > (uintptr_t)-oldsize || misaligned_chunk(oldp)) malloc_printerr("realloc(): invalid pointer");
  if (bytes > (size_t)PTRDIFF_MAX) {
    errno = ENOMEM;
    return NULL;
  }
  size_t nb = request2size(bytes);
  if (chunk_is_mmapped(oldp)) {
    mchunkptr newp = mremap_chunk(oldp, nb);
    if (newp != NULL) return chunk2mem(newp);
    if (oldsize - SIZE_SZ >= nb) return oldmem;
    void *newmem = malloc(bytes);
    if (newmem == NULL) return NULL;
    memcpy(newmem, oldmem, oldsize - CHUNK_HDR_SZ);
    munmap_chunk(oldp);
    return newmem;
  }
  MAYBE_INIT_TCACHE();
  return _int_realloc(&main_arena, oldp, oldsize, nb);
}

size_t malloc_usable_size(void *mem) {
  if (mem == NULL) return 0;
  mchunkptr p = mem2chunk(mem);
  if (chunk_is_mmapped(p)) return chunksize(p) - CHUNK_HDR_SZ;
  if (inuse(p)) return chunksize(p) - SIZE_SZ;
  return 0;
}
