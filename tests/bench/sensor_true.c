/* sensor_true.c — the trivial program the sensor benchmarks exec (linked statically so that an
 * exec costs the kernel's work and little else). Exits 0. */
int main(void)
{
    return 0;
}
