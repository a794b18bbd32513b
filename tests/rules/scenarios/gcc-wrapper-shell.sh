# R02 positive: GTFOBins gcc -wrapper runs a shell before each compiler pass
printf 'int main(void) { return 0; }\n' >x.c
gcc -wrapper /bin/sh,-c,'id >/dev/null; exec "$0" "$@"' -c x.c -o x.o
