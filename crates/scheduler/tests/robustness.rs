//! Mutated CIBs must give a parse error or a schedule, never a panic.

const BASE: &str = r#"<cib have-quorum="1" execution-date="1000"><configuration>
<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"/><node id="2" uname="n2"><instance_attributes id="a"><nvpair id="a1" name="standby" value="on"/></instance_attributes></node><node id="3" uname="n3"/></nodes>
<resources>
<primitive id="f" class="stonith" type="fence_dummy"/>
<group id="g"><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="am" name="monitor" interval="10s"/></operations></primitive>
<primitive id="b" class="ocf" provider="heartbeat" type="Dummy"/></group>
<clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="promotable" value="true"/></meta_attributes>
<primitive id="s" class="ocf" provider="pacemaker" type="Stateful"/></clone>
</resources><constraints>
<rsc_location id="l" rsc="g" node="n1" score="100"/>
<rsc_colocation id="co" rsc="g" with-rsc="c" with-rsc-role="Promoted" score="INFINITY"/>
<rsc_order id="or" first="c" first-action="promote" then="g" then-action="start"/>
<rsc_ticket id="t" rsc="g" ticket="T" loss-policy="fence"/>
</constraints></configuration>
<status><tickets><ticket_state id="T" granted="true"/></tickets>
<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
<transient_attributes id="1"><instance_attributes id="t1"><nvpair id="t1a" name="master-s" value="10"/><nvpair id="t1b" name="fail-count-a#start_0" value="1"/></instance_attributes></transient_attributes>
<lrm id="1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy">
<lrm_rsc_op id="a1" operation="start" call-id="3" rc-code="1" op-status="0" interval="0" transition-key="1:1:0:x"/></lrm_resource>
<lrm_resource id="s:0" class="ocf" provider="pacemaker" type="Stateful"><lrm_rsc_op id="s1" operation="promote" call-id="4" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:x"/></lrm_resource>
</lrm_resources></lrm></node_state>
<node_state id="3" uname="n3" in_ccm="false" crmd="offline" join="down" expected="member"/>
</status></cib>"#;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn base_cib_schedules() {
    let cib = cib::Cib::parse(BASE).expect("base CIB parses");
    let s = scheduler::schedule(&cib, 1000);
    assert!(!s.transition.actions.is_empty());
    // n3 was expected up but left: it is fenced.
    assert!(
        s.transition
            .summary
            .iter()
            .any(|l| l.starts_with("Fence (reboot) n3")),
        "{:?}",
        s.transition.summary
    );
}

#[test]
fn mutations_never_panic() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let bytes = BASE.as_bytes();
    let alphabet = b"<>/=\"' abcdefgINFTY-0123456789:#";
    let mut parsed = 0;
    for _ in 0..3000 {
        let mut m = bytes.to_vec();
        let edits = 1 + rng.next() % 4;
        for _ in 0..edits {
            let pos = (rng.next() as usize) % m.len();
            match rng.next() % 3 {
                0 => {
                    m.remove(pos);
                }
                1 => m.insert(pos, alphabet[(rng.next() as usize) % alphabet.len()]),
                _ => m[pos] = alphabet[(rng.next() as usize) % alphabet.len()],
            }
        }
        let Ok(text) = String::from_utf8(m) else {
            continue;
        };
        if let Ok(cib) = cib::Cib::parse(&text) {
            parsed += 1;
            let s = scheduler::schedule(&cib, 1000);
            let _ = scheduler::report::status_text(&s.after);
            let _ = scheduler::report::execution_lines(&s.transition);
        }
    }
    assert!(
        parsed > 100,
        "too few mutants parsed ({parsed}) to exercise the scheduler"
    );
}
