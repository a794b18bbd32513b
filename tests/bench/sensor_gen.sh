#!/bin/sh
# sensor_gen.sh DIR [N] — a deterministic C project for the sensor build benchmark: N (default
# 200) translation units of a few functions each, a main.c calling them all, and a Makefile
# (`make -j2` compiles each unit with cc -O2 and links `prog`). Same output on every run.
set -eu
dir=$1
n=${2:-200}
mkdir -p "$dir"
awk -v n="$n" -v dir="$dir" 'BEGIN {
	for (i = 0; i < n; i++) {
		f = sprintf("%s/u%03d.c", dir, i)
		print "#include <stdint.h>\n#include <string.h>\n#include <stdio.h>" > f
		printf "struct s%d { uint32_t a[16]; char name[32]; double w; };\n", i > f
		for (k = 0; k < 4; k++) {
			printf "static uint64_t mix%d_%d(uint64_t x, const struct s%d *s)\n{\n", i, k, i > f
			printf "    for (int r = 0; r < %d; r++) {\n", 3 + (i * 7 + k) % 5 > f
			printf "        x ^= x >> %d; x *= 0x%xULL; x += s->a[(r + %d) & 15];\n", 7 + k, 2654435761 + i * 31 + k, k > f
			printf "        if (x %% %d == 0) x += (uint64_t)(s->w * %d.5);\n", 3 + k, i > f
			print "    }" > f
			printf "    switch (x & 7) {\n" > f
			for (c = 0; c < 8; c++)
				printf "    case %d: x = x * %d + %d; break;\n", c, c + i + 3, k * c > f
			print "    }\n    return x;\n}" > f
		}
		printf "uint64_t unit%d(uint64_t seed);\nuint64_t unit%d(uint64_t seed)\n{\n", i, i > f
		printf "    struct s%d s;\n    memset(&s, 0, sizeof s);\n", i > f
		printf "    snprintf(s.name, sizeof s.name, \"unit%d-%%llu\", (unsigned long long)seed);\n", i > f
		print "    for (int j = 0; j < 16; j++) s.a[j] = (uint32_t)(seed * (j + 1));" > f
		print "    s.w = (double)strlen(s.name);" > f
		for (k = 0; k < 4; k++)
			printf "    seed = mix%d_%d(seed, &s);\n", i, k > f
		print "    return seed;\n}" > f
		close(f)
	}
	m = dir "/main.c"
	print "#include <stdint.h>\n#include <stdio.h>" > m
	for (i = 0; i < n; i++)
		printf "uint64_t unit%d(uint64_t seed);\n", i > m
	print "int main(void)\n{\n    uint64_t x = 1;" > m
	for (i = 0; i < n; i++)
		printf "    x = unit%d(x);\n", i > m
	print "    printf(\"%llu\\n\", (unsigned long long)x);\n    return 0;\n}" > m
	close(m)
}'
cat > "$dir/Makefile" <<'MK'
CC ?= cc
SRCS := $(sort $(wildcard *.c))
OBJS := $(SRCS:.c=.o)
prog: $(OBJS)
	$(CC) -o $@ $(OBJS)
%.o: %.c
	$(CC) -O2 -c $< -o $@
clean:
	rm -f prog *.o
MK
