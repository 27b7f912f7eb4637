set terminal pngcairo size 1200,480 font ",10"
set output "latency.png"
set multiplot layout 1,2 title "cti110 vs Asterisk Queue() (same Asterisk, same seats, same run)"
set title "Distribution latency: INVITE at Asterisk -> INVITE at seat"
set xlabel "calls per second (100 ready seats)"
set ylabel "ms"
set logscale y
set key top left
set grid
plot "latency-cti110.dat" u 1:2 w lp lw 2 lc rgb "#1f77b4" pt 7 t "cti110 p50", \
     "" u 1:3 w lp lw 1 lc rgb "#1f77b4" pt 5 dt 2 t "cti110 p90", \
     "" u 1:4 w lp lw 1 lc rgb "#1f77b4" pt 9 dt 3 t "cti110 p99", \
     "latency-baseline.dat" u 1:2 w lp lw 2 lc rgb "#d62728" pt 7 t "Queue() p50", \
     "" u 1:3 w lp lw 1 lc rgb "#d62728" pt 5 dt 2 t "Queue() p90", \
     "" u 1:4 w lp lw 1 lc rgb "#d62728" pt 9 dt 3 t "Queue() p99"
unset logscale y
set title "CPU at full load (% of one core; 2 cores = 200 %)"
set xlabel "concurrent recorded calls"
set ylabel "% CPU"
plot "cpu-cti110.dat" u 1:2 w lp lw 2 lc rgb "#1f77b4" pt 7 t "Asterisk (cti110 run)", \
     "" u 1:3 w lp lw 2 lc rgb "#2ca02c" pt 5 t "cti110 service", \
     "cpu-baseline.dat" u 1:2 w lp lw 2 lc rgb "#d62728" pt 7 t "Asterisk (Queue() run)"
unset multiplot
