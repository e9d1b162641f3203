//! A small deterministic generator for the `send_join` delay. The state machine has no source
//! of randomness: the caller supplies the seed ([`crate::Config::jitter_seed`]), so a run is
//! replayable from its inputs.

/// xorshift64* (Vigna): fast, full period over non-zero states; ample for spreading JOINs.
#[derive(Clone, Debug)]
pub(crate) struct Jitter {
    state: u64,
}

impl Jitter {
    /// A generator seeded from `seed` and the node id (distinct nodes draw distinct delays
    /// even with one seed).
    pub(crate) fn new(seed: u64, node: u32) -> Jitter {
        let mixed = (seed ^ (u64::from(node) << 32 | u64::from(node)))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
        Jitter {
            state: if mixed == 0 {
                0x2545_F491_4F6C_DD1D
            } else {
                mixed
            },
        }
    }

    /// A value in `0..=max`.
    pub(crate) fn up_to(&mut self, max: u64) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        let value = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        match max.checked_add(1) {
            Some(bound) => value % bound,
            None => value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_in_range_and_spreads() {
        let mut jitter = Jitter::new(7, 3);
        let draws: Vec<u64> = (0..1000).map(|_| jitter.up_to(80)).collect();
        assert!(draws.iter().all(|d| *d <= 80));
        assert!(draws.iter().any(|d| *d < 10) && draws.iter().any(|d| *d > 70));
        assert_eq!(Jitter::new(0, 0).up_to(0), 0);
        let mut a = Jitter::new(1, 1);
        let mut b = Jitter::new(1, 2);
        let same = (0..20).filter(|_| a.up_to(1000) == b.up_to(1000)).count();
        assert!(same < 5, "nodes draw different delays");
    }
}
