# plots.gp: the figures of make bench as SVG plots (issue 13).  Run as
#	gnuplot -e "dir='.obj/bench'" tests/bench/plot/plots.gp
# after bench-vmem and bench-kmem have written their data files to dir.

set terminal svg size 800,500 dynamic enhanced font "sans,12"
set key top left
set grid

# vmem: ns per pair against free segments, one line per policy and the
# list (columns of vmem_holes.dat: segments instant best next list).
set output dir."/vmem_holes.svg"
set title "vmem\\_xalloc + vmem\\_xfree against free segments (1-page holes, 2-page pairs)"
set xlabel "free segments"
set ylabel "ns per pair"
set logscale xy
set format x "1e%L"
set format y "1e%L"
plot dir."/vmem_holes.dat" using 1:2 with linespoints title "instant fit", \
     ""                    using 1:3 with linespoints title "best fit", \
     ""                    using 1:4 with linespoints title "next fit", \
     ""                    using 1:5 with linespoints title "list first fit (extent)"

# kmem: ns per pair against object size (columns of kmem_pair.dat: size,
# kmem's caches, then one per allocator as named in the header).
set output dir."/kmem_pair.svg"
set title "allocation + free pairs against object size (best of rounds)"
set xlabel "object size (bytes)"
set ylabel "ns per pair"
set logscale x 2
unset logscale y
set yrange [0:*]
set format x "%g"
set format y "%g"
set key autotitle columnhead
stats dir."/kmem_pair.dat" using 1 nooutput
ncol = STATS_columns
plot for [c=2:ncol] dir."/kmem_pair.dat" using 1:c with linespoints \
    title columnhead(c)

# Throughput against threads, with a write to each object (kmem_tput.dat:
# threads, then one column per allocator).
set output dir."/kmem_tput.svg"
set title "64-byte pairs with a write, all threads at once (2 CPUs)"
set xlabel "threads"
set ylabel "million pairs per second"
set xtics (1, 2, 4)
stats dir."/kmem_tput.dat" using 1 nooutput
ncol = STATS_columns
plot for [c=2:ncol] dir."/kmem_tput.dat" using 1:c with linespoints \
    title columnhead(c)
