//! Runs OCF, LSB, systemd and stonith agents with timeouts, bounded output and no leftover processes.
