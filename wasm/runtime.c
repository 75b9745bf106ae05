/* What the Embedded Swift runtime needs from C in a freestanding wasm32 module: memory
   functions and an allocator over linear memory. Blocks come in power-of-two sizes; a freed block
   goes on its size's list and is used again, so a long session does not keep growing memory. */
typedef unsigned long size_t;
extern unsigned char __heap_base;

void *memset(void *d, int c, size_t n) { unsigned char *p = d; while (n--) *p++ = (unsigned char)c; return d; }
void *memcpy(void *d, const void *s, size_t n) { unsigned char *p = d; const unsigned char *q = s; while (n--) *p++ = *q++; return d; }
void *memmove(void *d, const void *s, size_t n) {
  unsigned char *p = d; const unsigned char *q = s;
  if (p < q) { while (n--) *p++ = *q++; } else { p += n; q += n; while (n--) *--p = *--q; }
  return d;
}
int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *p = a, *q = b;
  for (; n; n--, p++, q++) if (*p != *q) return *p - *q;
  return 0;
}

#define HEADER 16UL
#define CLASSES 32
#define UNSIZED 0xFFu
static unsigned long next_free = 0;
static void *free_lists[CLASSES];

/* A block of linear memory that is never given back; `align` is a power of two. */
static void *bump(size_t size, size_t align) {
  if (!next_free) next_free = (unsigned long)&__heap_base;
  unsigned long start = (next_free + align - 1) & ~(align - 1), end = start + size;
  if (end < start) return 0;
  unsigned long have = __builtin_wasm_memory_size(0) * 65536UL;
  if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535) / 65536) == (size_t)-1) return 0;
  next_free = end;
  return (void *)start;
}

int posix_memalign(void **out, size_t align, size_t size) {
  if (align > HEADER) {
    /* Rare over-aligned requests are not recycled: the header says so. */
    unsigned char *block = bump(size + align, align);
    if (!block) return 12;
    block[align - 1] = UNSIZED;
    *out = block + align;
    return 0;
  }
  unsigned k = 4;
  while (k < CLASSES - 1 && (1UL << k) < size) k++;
  if ((1UL << k) < size) return 12;
  unsigned char *block = free_lists[k];
  if (block) {
    free_lists[k] = *(void **)block;
  } else {
    unsigned char *raw = bump(HEADER + (1UL << k), HEADER);
    if (!raw) return 12;
    block = raw + HEADER;
  }
  block[-1] = (unsigned char)k;
  *out = block;
  return 0;
}

void free(void *pointer) {
  if (!pointer) return;
  unsigned char *block = pointer;
  unsigned k = block[-1];
  if (k == UNSIZED || k >= CLASSES) return;
  *(void **)block = free_lists[k];
  free_lists[k] = block;
}

/* Seeds Hasher. The core's few dictionaries hold nothing an attacker chooses the keys of, so a
   fixed sequence is enough. */
void arc4random_buf(void *buf, size_t n) {
  static unsigned int x = 2463534242u; unsigned char *p = buf;
  while (n--) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; *p++ = (unsigned char)x; }
}
