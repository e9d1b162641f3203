#!/usr/bin/env python3
"""agent-floor.py [PARALLEL] - the CPU floor of a 1,000-resource bulk start: the 3,000 probes
(Dummy monitor, three per resource) and 1,000 starts that precede the last start, run by a
minimal driver PARALLEL at a time (default 12: three nodes x node-action-limit 4), with no
cluster at all. Prints wall time, the agents' CPU and the driver's. State files go to
/tmp/floor (created). Measures the host, not Tandem."""
import os, subprocess, time, sys, resource
par = int(sys.argv[1]) if len(sys.argv) > 1 else 12
os.makedirs('/tmp/floor', exist_ok=True)
jobs = [('monitor', 'b%d-%d' % (n, i)) for i in range(1, 1001) for n in (1, 2, 3)] + [('start', 'b1-%d' % i) for i in range(1, 1001)]
for f in os.listdir('/tmp/floor'):
    if f.endswith('.state'): os.unlink('/tmp/floor/' + f)
base = {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'OCF_ROOT': '/usr/lib/ocf', 'OCF_RESKEY_CRM_meta_timeout': '20000'}
t0 = time.time(); running = set(); it = iter(jobs); done = 0
def spawn(j):
    env = dict(base, OCF_RESOURCE_INSTANCE=j[1], OCF_RESKEY_state='/tmp/floor/%s.state' % j[1])
    return subprocess.Popen(['/usr/lib/ocf/resource.d/heartbeat/Dummy', j[0]], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for j in it:
    running.add(spawn(j))
    if len(running) >= par:
        pid, st = os.wait()
        running = {p for p in running if p.pid != pid}
while running:
    pid, st = os.wait(); running = {p for p in running if p.pid != pid}
t1 = time.time()
ru = resource.getrusage(resource.RUSAGE_CHILDREN); me = resource.getrusage(resource.RUSAGE_SELF)
print("par %d: wall %.2f s, agents %.2f CPU-s (%.2f ms/run), driver %.2f CPU-s" % (par, t1-t0, ru.ru_utime+ru.ru_stime, (ru.ru_utime+ru.ru_stime)/len(jobs)*1000, me.ru_utime+me.ru_stime))
