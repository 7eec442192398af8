#!/bin/bash
P=$1
echo "payload running"; cat /proc/cmdline; cat /sys/fs/cgroup/cgroup.controllers; ps -p 1 -o comm=; ldd $P/bin/husk; $P/bin/husk --version
echo "ok smoke" > $P/results.txt; echo DONE >> $P/results.txt
echo "boot $(cut -d' ' -f1 /proc/uptime)" > $P/timing.txt
systemctl list-units --failed --no-pager
