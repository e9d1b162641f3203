//! `tandem-cpg-bench`: the logic of shared/tools/cpg-bench/cpg-bench.c against tandemd's IPC API.
//!
//! `tandem-cpg-bench --socket PATH --node NAME [...]` (one instance per node): join group
//! "bench", wait for `--members` members, multicast READY and take the delivery of the last
//! READY as the common start t0; for `--duration` s multicast DATA messages of `--size` bytes
//! as fast as flow control allows (pipelined with `Client::cpg_mcast_queued`, deliveries handled
//! every 16 sends; `--sync-mcast 1` waits for the daemon's answer to each, as cpg-bench.c's
//! cpg_mcast_joined; TryAgain -> dispatch, wait at most 1 ms, retry), optionally
//! with at most `--max-inflight` own messages undelivered; count deliveries in the window and
//! time own messages' round trips; multicast DONE with the number sent and drain until DONE
//! from every member. Writes the delivered (type, nodeid, pid, seq) sequence to
//! `--order-file`, round trips to `--lat-file`, and one JSON line with the same keys as
//! cpg-bench.c (the daemon's CPU is reported under `corosync_cpu_pct` so that cpgb-check.py
//! summarises both sides alike). Message layout is cpg-bench.c's 40-byte header.
//!
//! `tandem-cpg-bench failover --kill-pid PID --expect 1,3 --socket S1 --socket S3`: SIGKILLs
//! PID and prints the time until every listed daemon reports one ring whose members are
//! exactly `--expect` (without `--kill-pid`: only waits for that ring).

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use messaging::ipc::{Client, ClientError, ErrorCode, Event, EventRef};

const MAGIC: u32 = 0x4350_4742;
const T_READY: u32 = 1;
const T_DATA: u32 = 2;
const T_DONE: u32 = 3;
const HDR_LEN: usize = 40;
/// Upper bound of logged deliveries (order file) and latency samples.
const LOG_MAX: usize = 50_000_000;

struct Opts {
    socket: PathBuf,
    group: String,
    node: String,
    order_file: Option<PathBuf>,
    lat_file: Option<PathBuf>,
    members: usize,
    size: usize,
    duration: f64,
    send: bool,
    max_inflight: u64,
    wait_timeout: f64,
    drain_timeout: f64,
    run_id: u64,
    daemon_pid: i32,
    /// Wait for the daemon's answer to every multicast (`Client::cpg_mcast`, as cpg-bench.c's
    /// cpg_mcast_joined) instead of pipelining them (`Client::cpg_mcast_queued`).
    sync_mcast: bool,
}

/// Pipelined multicasts between two looks at deliveries.
const SEND_BURST: usize = 16;

#[derive(Default)]
struct Peer {
    ready: bool,
    done: bool,
    done_sent: u64,
    next_seq: u64,
    fifo_errors: u64,
    win_msgs: u64,
    win_bytes: u64,
    total_msgs: u64,
}

struct Hdr {
    kind: u32,
    run_id: u64,
    seq: u64,
    ts_ns: u64,
    len: u32,
}

fn encode_hdr(buf: &mut [u8], kind: u32, run_id: u64, seq: u64, ts_ns: u64, nodeid: u32) {
    let len = buf.len() as u32;
    buf[0..4].copy_from_slice(&MAGIC.to_le_bytes());
    buf[4..8].copy_from_slice(&kind.to_le_bytes());
    buf[8..16].copy_from_slice(&run_id.to_le_bytes());
    buf[16..24].copy_from_slice(&seq.to_le_bytes());
    buf[24..32].copy_from_slice(&ts_ns.to_le_bytes());
    buf[32..36].copy_from_slice(&nodeid.to_le_bytes());
    buf[36..40].copy_from_slice(&len.to_le_bytes());
}

fn decode_hdr(data: &[u8]) -> Option<Hdr> {
    if data.len() < HDR_LEN {
        return None;
    }
    let u32_at = |i: usize| u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
    let u64_at = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&data[i..i + 8]);
        u64::from_le_bytes(b)
    };
    if u32_at(0) != MAGIC {
        return None;
    }
    Some(Hdr {
        kind: u32_at(4),
        run_id: u64_at(8),
        seq: u64_at(16),
        ts_ns: u64_at(24),
        len: u32_at(36),
    })
}

/// CLOCK_MONOTONIC in ns (the same clock as cpg-bench.c).
fn now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// utime + stime ticks of a process, from /proc/PID/stat.
fn proc_ticks(pid: i32) -> Option<u64> {
    if pid <= 0 {
        return None;
    }
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ut: u64 = fields.get(11)?.parse().ok()?;
    let st: u64 = fields.get(12)?.parse().ok()?;
    Some(ut + st)
}

/// Host busy and total jiffies from /proc/stat.
fn host_ticks() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let line = text.lines().next()?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    if v.len() < 5 {
        return None;
    }
    let total: u64 = v.iter().take(8).sum();
    Some((total - v[3] - v[4], total))
}

fn self_run_delay_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    text.split_whitespace().nth(1)?.parse().ok()
}

fn pct(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return -1.0;
    }
    let k = ((q / 100.0 * sorted.len() as f64) + 0.999_999_999) as usize;
    sorted[k.clamp(1, sorted.len()) - 1]
}

struct Bench {
    o: Opts,
    /// None only while `Bench::dispatch` lends it out.
    client: Option<Client>,
    my_nodeid: u32,
    my_pid: u32,
    peers: HashMap<(u32, u32), Peer>,
    peer_order: Vec<(u32, u32)>,
    cur_members: usize,
    members_at_t0: usize,
    n_ready: usize,
    n_done: usize,
    phase: u8,
    t0: u64,
    tend: u64,
    confchg_in_run: u64,
    left_in_run: u64,
    ignored: u64,
    bad_len: u64,
    own_delivered: u64,
    last_data: u64,
    max_gap: u64,
    lat_ms: Vec<f64>,
    olog: Vec<(u8, u32, u32, u64)>,
}

impl Bench {
    fn handle(&mut self, event: Event) {
        match event {
            Event::CpgDeliver { sender, data, .. } => {
                self.deliver(sender.nodeid, sender.pid, &data)
            }
            Event::CpgConfchg { members, left, .. } => {
                self.cur_members = members.len();
                if self.phase == 1 {
                    self.confchg_in_run += 1;
                    self.left_in_run += left.len() as u64;
                }
            }
            Event::Quorum(_) => {}
        }
    }

    fn deliver(&mut self, nodeid: u32, pid: u32, data: &[u8]) {
        let Some(h) = decode_hdr(data) else {
            self.ignored += 1;
            return;
        };
        if h.run_id != self.o.run_id {
            self.ignored += 1;
            return;
        }
        if h.len as usize != data.len() {
            self.bad_len += 1;
        }
        if self.olog.len() < LOG_MAX && self.o.order_file.is_some() {
            self.olog.push((h.kind as u8, nodeid, pid, h.seq));
        }
        if !self.peers.contains_key(&(nodeid, pid)) {
            self.peer_order.push((nodeid, pid));
        }
        let peer = self.peers.entry((nodeid, pid)).or_default();
        match h.kind {
            T_READY => {
                if !peer.ready {
                    peer.ready = true;
                    self.n_ready += 1;
                    if self.n_ready == self.o.members && self.phase == 0 {
                        self.t0 = now_ns();
                        self.members_at_t0 = self.cur_members;
                        self.tend = self.t0 + (self.o.duration * 1e9) as u64;
                        self.last_data = self.t0;
                        self.phase = 1;
                    }
                }
            }
            T_DATA => {
                let now = now_ns();
                if h.seq != peer.next_seq {
                    peer.fifo_errors += 1;
                }
                peer.next_seq = h.seq + 1;
                peer.total_msgs += 1;
                if self.phase == 1 && now < self.tend {
                    peer.win_msgs += 1;
                    peer.win_bytes += data.len() as u64;
                    self.max_gap = self.max_gap.max(now - self.last_data);
                    self.last_data = now;
                }
                if nodeid == self.my_nodeid && pid == self.my_pid {
                    self.own_delivered += 1;
                    if h.ts_ns >= self.t0 && h.ts_ns < self.tend && self.lat_ms.len() < LOG_MAX {
                        self.lat_ms.push((now - h.ts_ns) as f64 / 1e6);
                    }
                }
            }
            T_DONE => {
                if !peer.done {
                    peer.done = true;
                    peer.done_sent = h.seq;
                    self.n_done += 1;
                }
            }
            _ => self.ignored += 1,
        }
    }

    fn handle_ref(&mut self, event: EventRef<'_>) {
        match event {
            EventRef::Deliver(d) => self.deliver(d.sender.nodeid, d.sender.pid, d.data),
            EventRef::Owned(event) => self.handle(event),
        }
    }

    /// Hands events to `handle_ref` through `Client::dispatch` (deliveries borrowed, not
    /// copied); returns how many.
    fn dispatch(&mut self, timeout: Duration, max: usize) -> Result<usize> {
        let mut client = self.client.take().ok_or_else(|| anyhow!("client in use"))?;
        let result = client.dispatch(Some(timeout), max, |event| self.handle_ref(event));
        self.client = Some(client);
        Ok(result?)
    }

    /// Handles at most `max` events that are already buffered or readable; returns how many.
    fn dispatch_some(&mut self, max: usize) -> Result<usize> {
        let mut total = 0;
        while total < max {
            let handled = self.dispatch(Duration::ZERO, max - total)?;
            if handled == 0 {
                break;
            }
            total += handled;
        }
        Ok(total)
    }

    /// Waits up to `ms` for an event, then handles everything buffered.
    fn wait_dispatch(&mut self, ms: u64) -> Result<()> {
        if self.dispatch(Duration::from_millis(ms), usize::MAX)? > 0 {
            self.dispatch_some(usize::MAX)?;
        }
        Ok(())
    }

    fn client(&mut self) -> Result<&mut Client> {
        self.client.as_mut().ok_or_else(|| anyhow!("client in use"))
    }

    fn send_ctl(&mut self, kind: u32, seq: u64, timeout_s: f64) -> Result<()> {
        let mut buf = vec![0u8; HDR_LEN];
        let deadline = now_ns() + (timeout_s * 1e9) as u64;
        loop {
            encode_hdr(&mut buf, kind, self.o.run_id, seq, now_ns(), self.my_nodeid);
            match self.client()?.cpg_mcast(&buf) {
                Ok(()) => return Ok(()),
                Err(ClientError::Refused {
                    code: ErrorCode::TryAgain,
                    ..
                }) => {}
                Err(e) => bail!("cpg_mcast(ctl {kind}): {e}"),
            }
            if now_ns() > deadline {
                bail!("cpg_mcast(ctl {kind}): TryAgain for {timeout_s} s");
            }
            self.dispatch_some(64)?;
            self.wait_dispatch(1)?;
        }
    }
}

fn parse_opts(args: &[String]) -> Result<Opts> {
    let mut o = Opts {
        socket: PathBuf::from(messaging::ipc::DEFAULT_SOCKET_PATH),
        group: "bench".into(),
        node: String::new(),
        order_file: None,
        lat_file: None,
        members: 3,
        size: 1024,
        duration: 10.0,
        send: true,
        max_inflight: 0,
        wait_timeout: 60.0,
        drain_timeout: 60.0,
        run_id: 0,
        daemon_pid: 0,
        sync_mcast: false,
    };
    let mut i = 0;
    while i < args.len() {
        let key = args[i].as_str();
        let val = args
            .get(i + 1)
            .ok_or_else(|| anyhow!("{key} needs a value"))?
            .clone();
        let num = |what: &str| -> Result<f64> {
            val.parse::<f64>()
                .with_context(|| format!("{what}: '{val}' is not a number"))
        };
        match key {
            "--socket" => o.socket = val.clone().into(),
            "--group" => o.group = val.clone(),
            "--node" => o.node = val.clone(),
            "--order-file" => o.order_file = Some(val.clone().into()),
            "--lat-file" => o.lat_file = Some(val.clone().into()),
            "--members" => o.members = num(key)? as usize,
            "--size" => o.size = num(key)? as usize,
            "--duration" => o.duration = num(key)?,
            "--send" => o.send = num(key)? != 0.0,
            "--max-inflight" => o.max_inflight = num(key)? as u64,
            "--wait-timeout" => o.wait_timeout = num(key)?,
            "--drain-timeout" => o.drain_timeout = num(key)?,
            "--sync-mcast" => o.sync_mcast = num(key)? != 0.0,
            "--run-id" => o.run_id = val.parse().with_context(|| format!("--run-id '{val}'"))?,
            "--daemon-pid" | "--cs-pid" => o.daemon_pid = num(key)? as i32,
            other => bail!("unknown option '{other}'"),
        }
        i += 2;
    }
    if o.node.is_empty() || o.members < 1 || o.duration <= 0.0 || o.size < HDR_LEN {
        bail!("usage: tandem-cpg-bench --node NAME [--socket P] [--members N] [--size B>=40] [--duration S] [--send 0|1] [--max-inflight K] [--run-id ID] [--sync-mcast 0|1] [--order-file F] [--lat-file F] [--daemon-pid PID] [--wait-timeout S] [--drain-timeout S]");
    }
    Ok(o)
}

fn run(o: Opts) -> Result<bool> {
    let mut client = Client::connect(&o.socket)?;
    let me = client.process();
    let deadline = Instant::now() + Duration::from_secs_f64(o.wait_timeout);
    loop {
        match client.cpg_join(o.group.as_bytes()) {
            Ok(()) => break,
            Err(ClientError::Refused {
                code: ErrorCode::TryAgain,
                ..
            }) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => bail!("cpg_join: {e}"),
        }
    }
    let mut b = Bench {
        o,
        client: Some(client),
        my_nodeid: me.nodeid,
        my_pid: me.pid,
        peers: HashMap::new(),
        peer_order: Vec::new(),
        cur_members: 0,
        members_at_t0: 0,
        n_ready: 0,
        n_done: 0,
        phase: 0,
        t0: 0,
        tend: 0,
        confchg_in_run: 0,
        left_in_run: 0,
        ignored: 0,
        bad_len: 0,
        own_delivered: 0,
        last_data: 0,
        max_gap: 0,
        lat_ms: Vec::new(),
        olog: Vec::new(),
    };
    // 1. members
    while b.cur_members < b.o.members {
        if Instant::now() > deadline {
            bail!("timeout: {} of {} members", b.cur_members, b.o.members);
        }
        b.wait_dispatch(100)?;
    }
    // 2. READY barrier
    b.send_ctl(T_READY, 0, b.o.wait_timeout)?;
    while b.phase == 0 {
        if Instant::now() > deadline {
            bail!("timeout: READY from {} of {}", b.n_ready, b.o.members);
        }
        b.wait_dispatch(100)?;
    }
    // 3. window
    let cs0 = proc_ticks(b.o.daemon_pid);
    let me0 = proc_ticks(std::process::id() as i32);
    let rd0 = self_run_delay_ns();
    let h0 = host_ticks();
    let mut buf = vec![0u8; b.o.size];
    for (i, byte) in buf.iter_mut().enumerate().skip(HDR_LEN) {
        *byte = (i.wrapping_mul(31).wrapping_add(7)) as u8;
    }
    let (mut sent, mut try_again, mut send_call_ns, mut max_send_call_ns) =
        (0u64, 0u64, 0u64, 0u64);
    let mut burst = 0usize;
    loop {
        let now = now_ns();
        if now >= b.tend {
            break;
        }
        if b.o.send && (b.o.max_inflight == 0 || sent - b.own_delivered < b.o.max_inflight) {
            encode_hdr(&mut buf, T_DATA, b.o.run_id, sent, now, b.my_nodeid);
            let rc = if b.o.sync_mcast {
                b.client()?.cpg_mcast(&buf)
            } else {
                b.client()?.cpg_mcast_queued(&buf)
            };
            let t_call = now_ns() - now;
            send_call_ns += t_call;
            max_send_call_ns = max_send_call_ns.max(t_call);
            match rc {
                Ok(()) => {
                    sent += 1;
                    burst += 1;
                    // Pipelined sends: handle deliveries after a burst, not after each send.
                    if b.o.sync_mcast || burst >= SEND_BURST {
                        burst = 0;
                        b.dispatch_some(if b.o.sync_mcast { 64 } else { 1024 })?;
                    }
                }
                Err(ClientError::Refused {
                    code: ErrorCode::TryAgain,
                    ..
                }) => {
                    try_again += 1;
                    burst = 0;
                    if b.dispatch_some(1024)? == 0 {
                        b.wait_dispatch(1)?;
                    }
                }
                Err(e) => bail!("cpg_mcast: {e}"),
            }
        } else {
            let ms = (b.tend - now) / 1_000_000 + 1;
            b.wait_dispatch(ms.min(10))?;
        }
    }
    let t_run_end = now_ns();
    b.max_gap = b.max_gap.max(b.tend.saturating_sub(b.last_data));
    let cs1 = proc_ticks(b.o.daemon_pid);
    let me1 = proc_ticks(std::process::id() as i32);
    let rd1 = self_run_delay_ns();
    let h1 = host_ticks();
    b.phase = 2;
    // 4. DONE + drain
    b.send_ctl(T_DONE, sent, b.o.drain_timeout)?;
    let drain_end = Instant::now() + Duration::from_secs_f64(b.o.drain_timeout);
    while b.n_done < b.o.members && Instant::now() < drain_end {
        b.wait_dispatch(100)?;
    }
    let _ = b.client()?.cpg_leave();

    // report
    let dur = (b.tend - b.t0) as f64 / 1e9;
    let run_s = (t_run_end - b.t0) as f64 / 1e9;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let cpu = |a: Option<u64>, z: Option<u64>| match (a, z) {
        (Some(a), Some(z)) => 100.0 * (z - a) as f64 / hz / run_s,
        _ => -1.0,
    };
    let host = match (h0, h1) {
        (Some((b0, t0)), Some((b1, t1))) if t1 > t0 => 100.0 * (b1 - b0) as f64 / (t1 - t0) as f64,
        _ => -1.0,
    };
    let (mut win_msgs, mut win_bytes, mut total, mut fifo, mut lost) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut per_sender = Vec::new();
    for key in &b.peer_order {
        let p = &b.peers[key];
        win_msgs += p.win_msgs;
        win_bytes += p.win_bytes;
        total += p.total_msgs;
        fifo += p.fifo_errors;
        if p.done {
            lost += p.done_sent.abs_diff(p.total_msgs);
        }
        per_sender.push(format!("\"{}\":{}", key.0, p.win_msgs));
    }
    b.lat_ms.sort_by(|x, y| x.total_cmp(y));
    if let Some(path) = &b.o.order_file {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        );
        for (kind, nodeid, pid, seq) in &b.olog {
            let c = match u32::from(*kind) {
                T_READY => 'R',
                T_DATA => 'D',
                T_DONE => 'E',
                _ => '?',
            };
            writeln!(f, "{c} {nodeid} {pid} {seq}")?;
        }
        f.flush()
            .with_context(|| format!("write {} failed", path.display()))?;
    }
    if let Some(path) = &b.o.lat_file {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        );
        for v in &b.lat_ms {
            writeln!(f, "{v:.4}")?;
        }
        f.flush()?;
    }
    let rd = match (rd0, rd1) {
        (Some(a), Some(z)) => 100.0 * (z - a) as f64 / (t_run_end - b.t0) as f64,
        _ => -1.0,
    };
    println!(
        "{{\"node\":\"{}\",\"nodeid\":{},\"pid\":{},\"members\":{},\"size\":{},\"sending\":{},\
         \"max_inflight\":{},\"sent\":{},\"try_again\":{},\"delivered\":{},\"delivered_bytes\":{},\
         \"duration_s\":{:.3},\"msgs_per_s\":{:.1},\"MB_per_s\":{:.3},\"lat_n\":{},\
         \"lat_p50_ms\":{:.3},\"lat_p99_ms\":{:.3},\"lat_max_ms\":{:.3},\"delivered_total\":{},\
         \"per_sender\":{{{}}},\"done_from\":{},\"lost_vs_done\":{},\"fifo_errors\":{},\"bad_len\":{},\
         \"ignored\":{},\"confchg_in_run\":{},\"left_in_run\":{},\"corosync_cpu_pct\":{:.1},\
         \"client_cpu_pct\":{:.1},\"host_cpu_busy_pct\":{:.1},\"max_gap_ms\":{:.3},\
         \"send_call_pct\":{:.1},\"max_send_call_ms\":{:.3},\"client_run_delay_pct\":{:.1},\
         \"order_len\":{}}}",
        b.o.node,
        b.my_nodeid,
        b.my_pid,
        b.members_at_t0,
        b.o.size,
        b.o.send,
        b.o.max_inflight,
        sent,
        try_again,
        win_msgs,
        win_bytes,
        dur,
        win_msgs as f64 / dur,
        win_bytes as f64 / dur / 1e6,
        b.lat_ms.len(),
        pct(&b.lat_ms, 50.0),
        pct(&b.lat_ms, 99.0),
        b.lat_ms.last().copied().unwrap_or(-1.0),
        total,
        per_sender.join(","),
        b.n_done,
        lost,
        fifo,
        b.bad_len,
        b.ignored,
        b.confchg_in_run,
        b.left_in_run,
        cpu(cs0, cs1),
        cpu(me0, me1),
        host,
        b.max_gap as f64 / 1e6,
        100.0 * send_call_ns as f64 / (t_run_end - b.t0) as f64,
        max_send_call_ns as f64 / 1e6,
        rd,
        b.olog.len()
    );
    if b.n_done < b.o.members {
        eprintln!(
            "tandem-cpg-bench[{}]: drain timeout: DONE from {} of {}",
            b.o.node, b.n_done, b.o.members
        );
        return Ok(false);
    }
    Ok(true)
}

/// SIGKILLs `--kill-pid` and measures until every `--socket` daemon reports one ring of
/// exactly `--expect` members.
fn failover(args: &[String]) -> Result<()> {
    let mut pid = 0i32;
    let mut expect: Vec<u32> = Vec::new();
    let mut sockets: Vec<PathBuf> = Vec::new();
    let mut timeout = 60.0f64;
    let mut signal = libc::SIGKILL;
    let mut exec: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let val = args
            .get(i + 1)
            .ok_or_else(|| anyhow!("{} needs a value", args[i]))?;
        match args[i].as_str() {
            "--kill-pid" => pid = val.parse().with_context(|| format!("--kill-pid '{val}'"))?,
            "--expect" => {
                expect = val
                    .split(',')
                    .map(|x| {
                        x.parse::<u32>()
                            .with_context(|| format!("--expect '{val}'"))
                    })
                    .collect::<Result<_>>()?
            }
            "--socket" => sockets.push(val.into()),
            "--signal" => {
                signal = match val.as_str() {
                    "KILL" => libc::SIGKILL,
                    "TERM" => libc::SIGTERM,
                    other => bail!("--signal '{other}': KILL or TERM"),
                }
            }
            "--exec" => exec = Some(val.clone()),
            "--timeout" => timeout = val.parse().with_context(|| format!("--timeout '{val}'"))?,
            other => bail!("failover: unknown option '{other}'"),
        }
        i += 2;
    }
    if pid < 0 || expect.is_empty() || sockets.is_empty() {
        bail!("usage: tandem-cpg-bench failover [--kill-pid PID [--signal KILL|TERM]] [--exec CMD] --expect 1,3 --socket S [--socket S]... [--timeout S] (t0: the signal, or the start of CMD run by sh -c; with neither: only wait for that ring)");
    }
    expect.sort_unstable();
    let mut clients = sockets
        .iter()
        .map(|s| Client::connect(s).with_context(|| s.display().to_string()))
        .collect::<Result<Vec<_>>>()?;
    let before = clients[0].status()?.ring_id;
    // t0 is taken before the command: the change it makes (a heal) takes effect somewhere
    // inside it, and the merge may be complete before it returns.
    let t0 = Instant::now();
    if let Some(command) = &exec {
        let status = std::process::Command::new("sh")
            .args(["-c", command])
            .status()
            .with_context(|| format!("--exec '{command}'"))?;
        if !status.success() {
            bail!("--exec '{command}': {status}");
        }
    }
    // SAFETY: kill(2) with a pid given by the caller.
    if pid > 0 && unsafe { libc::kill(pid, signal) } != 0 {
        bail!("kill {pid}: {}", std::io::Error::last_os_error());
    }
    let changed = pid > 0 || exec.is_some();
    let deadline = t0 + Duration::from_secs_f64(timeout);
    loop {
        let mut rings = Vec::new();
        for c in clients.iter_mut() {
            let s = c.status()?;
            rings.push((s.ring_id, s.ring_members == expect));
        }
        if rings.iter().all(|(r, ok)| *ok && *r == rings[0].0) && (!changed || rings[0].0 != before)
        {
            println!(
                "{{\"failover_ms\":{:.1},\"ring\":\"{:?}\"}}",
                t0.elapsed().as_secs_f64() * 1e3,
                rings[0].0
            );
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("no common ring of {expect:?} after {timeout} s");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// `stats --socket S`: the daemon's counters as one JSON object.
fn stats(args: &[String]) -> Result<()> {
    let socket = match args {
        [flag, path] if flag == "--socket" => PathBuf::from(path),
        _ => bail!("usage: tandem-cpg-bench stats --socket S"),
    };
    let mut client = Client::connect(&socket).with_context(|| socket.display().to_string())?;
    let status = client.status()?;
    let fields: Vec<String> = status
        .stats
        .iter()
        .map(|(k, v)| format!("\"{}\":{v}", k.replace('"', "'")))
        .collect();
    println!("{{{}}}", fields.join(","));
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = if args.first().map(String::as_str) == Some("failover") {
        failover(&args[1..]).map(|()| true)
    } else if args.first().map(String::as_str) == Some("stats") {
        stats(&args[1..]).map(|()| true)
    } else {
        parse_opts(&args).and_then(run)
    };
    match result {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::from(2),
        Err(e) => {
            eprintln!("tandem-cpg-bench: {e:#}");
            println!(
                "{{\"node\":\"?\",\"error\":\"{}\"}}",
                format!("{e:#}").replace('"', "'")
            );
            std::process::ExitCode::from(2)
        }
    }
}
