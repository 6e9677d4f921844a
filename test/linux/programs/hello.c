/* Static glibc hello: printf of integers and doubles, and an exit status. */
#include <stdio.h>

int main(int argc, char **argv) {
  printf("hello from %s with %d argument%s\n", argc > 1 ? argv[1] : "nobody", argc - 1, argc == 2 ? "" : "s");
  printf("%d %ld %x %.3f %g\n", -42, 1234567890123L, 0xbeefu, 3.14159265, 6.02214076e23);
  printf("%5.1f|%-6d|%08.3e|%lu|%c%s\n", -0.05, 17, 12345.678, (unsigned long)-1, 'x', "yz");
  double sum = 0;
  for (int i = 1; i <= 100; i++) sum += 1.0 / i;
  printf("H(100) = %.15g\n", sum);
  return 3;
}
