/* A tiny freestanding runtime for the CPU test programs: Linux write/exit, printing. */
#ifndef RT_H
#define RT_H
typedef unsigned long u64;
typedef long i64;
typedef unsigned int u32;
typedef int i32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef unsigned long usize;

void put(const char *s);
void put_hex(u64 v);
void put_dec(i64 v);
/* "name = 0x…\n" */
void show(const char *name, u64 v);
void show_f64(const char *name, double v);
void show_f32(const char *name, float v);
u64 fp_status(void); /* FPSR */
void set_fpcr(u64 v);
void clear_fpsr(void);
void *memcpy(void *d, const void *s, usize n);
void *memset(void *d, int c, usize n);
void *memmove(void *d, const void *s, usize n);
int memcmp(const void *a, const void *b, usize n);
int main(void);
/* Defeat constant folding. */
#define OPAQUE(x) ({ __typeof__(x) _v = (x); __asm__ volatile("" : "+r"(_v)); _v; })
#define OPAQUE_F(x) ({ __typeof__(x) _v = (x); __asm__ volatile("" : "+w"(_v)); _v; })
#endif
