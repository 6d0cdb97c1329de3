//! "Did you mean" suggestions for unknown actions, APIs and paths.

/// Up to `max` candidates closest to `input` by edit distance, closest first. Candidates further than
/// half the input's length are dropped, so a suggestion is never a wild guess.
pub fn nearest<'a, I>(input: &str, candidates: I, max: usize) -> Vec<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let input = input.to_lowercase();
    let limit = (input.chars().count() / 2).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&input, &c.to_lowercase()), c))
        .filter(|(distance, _)| *distance <= limit)
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    // Keep only the closest group: one more edit than the best is still a plausible typo.
    let best = scored.first().map_or(0, |(distance, _)| *distance);
    scored.into_iter().filter(|(distance, _)| *distance <= best + 1).take(max).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_plural_resource() {
        let candidates = ["evs:snapshots:get", "evs:snapshots:list", "evs:volumes:get"];
        assert_eq!(nearest("evs:snapshot:get", candidates, 3), ["evs:snapshots:get"]);
    }

    #[test]
    fn no_wild_guesses() {
        assert!(nearest("ecs:servers:create", ["evs:snapshots:get"], 3).is_empty());
    }
}
