//! Measuring a model against labelled texts: a 3 × 3 confusion matrix, accuracy and
//! macro-F1 (both ratios 0–1), and the majority-class baseline to read them against.

use super::SentimentLabel;
use std::fmt;

/// Labels in the matrix's order.
const ORDER: [SentimentLabel; 3] = [
    SentimentLabel::Positive,
    SentimentLabel::Neutral,
    SentimentLabel::Negative,
];

fn index(label: SentimentLabel) -> usize {
    match label {
        SentimentLabel::Positive => 0,
        SentimentLabel::Neutral => 1,
        SentimentLabel::Negative => 2,
    }
}

/// Counts of (gold label, predicted label) pairs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Confusion {
    /// `counts[gold][predicted]`, labels in the order positive, neutral, negative.
    pub counts: [[u64; 3]; 3],
}

impl Confusion {
    /// Counts one text.
    pub fn add(&mut self, gold: SentimentLabel, predicted: SentimentLabel) {
        if let Some(c) = self
            .counts
            .get_mut(index(gold))
            .and_then(|row| row.get_mut(index(predicted)))
        {
            *c = c.saturating_add(1);
        }
    }

    fn at(&self, gold: usize, predicted: usize) -> u64 {
        self.counts
            .get(gold)
            .and_then(|r| r.get(predicted))
            .copied()
            .unwrap_or(0)
    }

    /// Texts counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// Texts whose gold label is `label`.
    pub fn support(&self, label: SentimentLabel) -> u64 {
        (0..3).map(|p| self.at(index(label), p)).sum()
    }

    /// Correct predictions / all texts (ratio 0–1); `None` when empty.
    pub fn accuracy(&self) -> Option<f64> {
        let total = self.total();
        let correct: u64 = (0..3).map(|i| self.at(i, i)).sum();
        (total > 0).then(|| correct as f64 / total as f64)
    }

    /// Precision of `label` (ratio 0–1): correct among texts predicted `label`; `None` when
    /// nothing was predicted `label`.
    pub fn precision(&self, label: SentimentLabel) -> Option<f64> {
        let i = index(label);
        let predicted: u64 = (0..3).map(|g| self.at(g, i)).sum();
        (predicted > 0).then(|| self.at(i, i) as f64 / predicted as f64)
    }

    /// Recall of `label` (ratio 0–1): found among texts labelled `label`; `None` when no
    /// text is labelled `label`.
    pub fn recall(&self, label: SentimentLabel) -> Option<f64> {
        let support = self.support(label);
        (support > 0).then(|| self.at(index(label), index(label)) as f64 / support as f64)
    }

    /// F1 of `label`, the harmonic mean of precision and recall (ratio 0–1): 0 when the label
    /// is in the gold set or the predictions but never rightly predicted; `None` when it is
    /// in neither.
    pub fn f1(&self, label: SentimentLabel) -> Option<f64> {
        let i = index(label);
        let tp = self.at(i, i) as f64;
        let predicted: u64 = (0..3).map(|g| self.at(g, i)).sum();
        let support = self.support(label);
        if predicted == 0 && support == 0 {
            return None;
        }
        let denominator = predicted as f64 + support as f64;
        Some(2.0 * tp / denominator)
    }

    /// The mean F1 over the labels that occur (ratio 0–1); `None` when empty.
    pub fn macro_f1(&self) -> Option<f64> {
        let f1s: Vec<f64> = ORDER.iter().filter_map(|l| self.f1(*l)).collect();
        (!f1s.is_empty()).then(|| f1s.iter().sum::<f64>() / f1s.len() as f64)
    }

    /// The matrix of always predicting the most frequent gold label (ties: positive, then
    /// neutral, then negative), with that label.
    pub fn majority_baseline(&self) -> (SentimentLabel, Confusion) {
        let mut majority = SentimentLabel::Positive;
        for l in ORDER {
            if self.support(l) > self.support(majority) {
                majority = l;
            }
        }
        let mut baseline = Confusion::default();
        for gold in ORDER {
            if let Some(c) = baseline
                .counts
                .get_mut(index(gold))
                .and_then(|r| r.get_mut(index(majority)))
            {
                *c = self.support(gold);
            }
        }
        (majority, baseline)
    }
}

impl fmt::Display for Confusion {
    /// The matrix (rows: gold label, columns: predicted), then accuracy and macro-F1.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:>14} | {:>8} {:>8} {:>8} | {:>6}",
            "gold \\ pred", "positive", "neutral", "negative", "recall"
        )?;
        for gold in ORDER {
            let g = index(gold);
            let recall = self.recall(gold).map_or("-".to_string(), |r| format!("{r:.2}"));
            writeln!(
                f,
                "{:>14} | {:>8} {:>8} {:>8} | {:>6}",
                gold.as_str(),
                self.at(g, 0),
                self.at(g, 1),
                self.at(g, 2),
                recall
            )?;
        }
        let fmt_opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
        write!(
            f,
            "n = {}, accuracy = {}, macro-F1 = {}",
            self.total(),
            fmt_opt(self.accuracy()),
            fmt_opt(self.macro_f1())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SentimentLabel::*;

    #[test]
    fn metrics_of_a_small_matrix() {
        let mut m = Confusion::default();
        for (g, p) in [
            (Positive, Positive),
            (Positive, Positive),
            (Positive, Neutral),
            (Neutral, Neutral),
            (Negative, Positive),
            (Negative, Negative),
        ] {
            m.add(g, p);
        }
        assert_eq!(m.total(), 6);
        assert_eq!(m.accuracy(), Some(4.0 / 6.0));
        // positive: P = 2/3, R = 2/3 → F1 2/3; neutral: P = 1/2, R = 1 → 2/3;
        // negative: P = 1, R = 1/2 → 2/3.
        for l in [Positive, Neutral, Negative] {
            let f = m.f1(l).unwrap_or(f64::NAN);
            assert!((f - 2.0 / 3.0).abs() < 1e-12, "{l}: {f}");
        }
        assert!((m.macro_f1().unwrap_or(0.0) - 2.0 / 3.0).abs() < 1e-12);
        let text = m.to_string();
        assert!(text.contains("accuracy = 0.667"), "{text}");
    }

    #[test]
    fn the_majority_baseline_predicts_one_label() {
        let mut m = Confusion::default();
        for (g, p) in [
            (Positive, Negative),
            (Positive, Negative),
            (Neutral, Neutral),
            (Negative, Negative),
        ] {
            m.add(g, p);
        }
        let (label, base) = m.majority_baseline();
        assert_eq!(label, Positive);
        assert_eq!(base.accuracy(), Some(0.5));
        // F1 positive = 2·2/(4+2) = 2/3; neutral and negative 0.
        assert!((base.macro_f1().unwrap_or(0.0) - 2.0 / 9.0).abs() < 1e-12);
        assert_eq!(Confusion::default().accuracy(), None);
        assert_eq!(Confusion::default().macro_f1(), None);
    }
}
