//! Compares the certified bounds with the exhaustive analysis on network files or random
//! networks: `bounds_vs FILE...` or `bounds_vs random N0 N1 N2 N3 SEEDS`.
use fibers_conserve::bounds::{bounds, BoundsOptions};
use fibers_conserve::regions::PatternSet;
use fibers_conserve::{analyse, Dataset, Options};
use fibers_net::random::{random_network, Lcg};
use fibers_net::{Architecture, Network};

fn compare(name: &str, net: &Network, data: Option<&Dataset>) -> (bool, bool) {
    let an = match analyse(net, data, &Options::default()) {
        Ok(a) => a,
        Err(e) => {
            println!("{name}: exhaustive failed: {e}");
            return (true, false);
        }
    };
    let set = data.map(|d| PatternSet::from_data(net, &d.x));
    let b = bounds(net, set.as_ref(), &BoundsOptions::default());
    let ex = an.law_count();
    let exact = an.agrees() && an.lie.certified;
    let ok = b.lower <= ex && (!exact || ex <= b.upper) && (!b.certified() || b.lower == ex);
    println!(
        "{name}: exhaustive laws {ex} lie {} ({}, {} regions, levels {}) | bounds [{}, {}] {} fields {} brackets {:?} patterns {} {:?}{}",
        an.lie.count,
        if exact { "exact" } else { "open" },
        an.patterns.patterns.len(),
        an.lie.levels.len(),
        b.lower,
        b.upper,
        if b.certified() { "certified" } else { "OPEN" },
        b.fields_rank,
        b.brackets,
        b.patterns,
        b.stop,
        if ok { "" } else { "  DISAGREE" }
    );
    if !ok || !b.certified() {
        println!(
            "  failed {:?} laws {:?}",
            b.failed,
            b.laws.iter().map(|l| &l.name).collect::<Vec<_>>()
        );
        print!("{}", an.laws_text());
    }
    (ok, b.certified())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut bad, mut cert, mut total) = (0, 0, 0);
    if args[0] == "random" {
        let a: Vec<usize> = args[1..].iter().map(|s| s.parse().unwrap()).collect();
        let arch = Architecture::new(a[0], a[1], a[2], a[3]);
        for seed in 1..=a[4] as u64 {
            let net = random_network(arch, &mut Lcg::new(seed));
            for data in [None, Some(Dataset::seeded(&net, 4, seed + 1000))] {
                let (ok, c) = compare(
                    &format!("seed {seed} data {}", data.is_some()),
                    &net,
                    data.as_ref(),
                );
                total += 1;
                bad += usize::from(!ok);
                cert += usize::from(c);
            }
        }
    } else {
        for f in &args {
            let net = fibers_net::json::read_network(std::path::Path::new(f)).expect("network");
            let (ok, c) = compare(f, &net, None);
            total += 1;
            bad += usize::from(!ok);
            cert += usize::from(c);
        }
    }
    println!("{total} cases, {cert} certified, {bad} disagreements");
}
