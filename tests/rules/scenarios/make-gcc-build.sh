# R01/R02 negative: an ordinary make + gcc build (compile, assemble, link)
cat >a.c <<'C'
#include <stdio.h>
int helper(int x);
int main(void) { printf("%d\n", helper(41)); return 0; }
C
printf 'int helper(int x) { return x + 1; }\n' >b.c
cat >Makefile <<'MK'
prog: a.o b.o
	gcc -o $@ a.o b.o
%.o: %.c
	gcc -O2 -c $< -o $@
MK
make && ./prog
