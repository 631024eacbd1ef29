//! CTC prefix beam search, optionally held to a word list or a language model's lexicon.
//!
//! Many paths read as one text (`hh_e`, `h_ee` and `_he_` all read "he"), so the likeliest text
//! is not always the likeliest path's. The search keeps the `width` likeliest texts so far
//! (prefixes of the reading) after each frame, each with the probability of its paths that end
//! in blank and of those that end in its last symbol: the next frame's same symbol repeats the
//! latter but doubles the former.

use std::collections::HashMap;

use super::language_model::{History, LanguageModel, SYMBOLS};
use super::word_list::{WordList, WordPrefix, words_of};
use super::{BLANK, DecodeError, Decoded, Frames, align, symbol};

/// How hard [`beam_search`] looks, and which words it expects.
#[derive(Debug, Clone, Copy)]
pub struct BeamOptions<'a> {
    /// How many prefixes survive each frame: wider finds likelier readings, in proportion
    /// slower. 0 counts as 1. The default, 32, is where widening stopped paying on the
    /// validation writers' words (16 → 32 read 0.3 points more exactly, 32 → 64 only 0.1).
    pub width: usize,
    /// The words the writer is expected to use, to settle letters the network is unsure of.
    /// It stands in for the language model's lexicon, if the model has one.
    pub word_list: Option<&'a WordList>,
    /// What a word missing from the list costs, in natural log (added once per word): −10 lets
    /// a word through only if the network is e¹⁰ (22,000) times surer of it than of any listed
    /// reading. `f32::NEG_INFINITY` forbids them whatever the cost: a line that can only end in
    /// an unlisted word (say, cut off mid-word) reads as nothing, as the search cannot see the
    /// end coming. Above 0 (and NaN) counts as 0, since a bonus would reward misreadings.
    pub out_of_vocabulary_penalty: f32,
    /// A model of likely text, weighed against the network where it is unsure, and with its
    /// lexicon, of likely words where no word list is set.
    pub language_model: Option<&'a LanguageModel>,
}

impl Default for BeamOptions<'_> {
    fn default() -> Self {
        Self {
            width: 32,
            word_list: None,
            out_of_vocabulary_penalty: -10.0,
            language_model: None,
        }
    }
}

impl<'a> BeamOptions<'a> {
    /// What the word list (or lexicon) and the language model make of `text` in the search's
    /// reckoning (natural log): the penalty once for each word (run of ASCII letters) the list
    /// does not have, plus the model's score; nothing without either. To weigh a text read
    /// elsewhere as the search weighed its own.
    pub fn prior(&self, text: &str) -> f32 {
        let model = self
            .language_model
            .map_or(0.0, |model| model.score(text, self.word_list.is_some()));
        let Some((list, penalty)) = self.expected_words() else {
            return model;
        };
        let unlisted: f32 = words_of(text)
            .filter(|word| !list.contains(word))
            .map(|_| penalty)
            .sum();
        unlisted + model
    }

    /// The words the search holds words to, with what one missing costs: the word list if set,
    /// else the language model's lexicon if it has one.
    fn expected_words(&self) -> Option<(&'a WordList, f32)> {
        match (self.word_list, self.language_model) {
            (Some(list), _) => Some((list, self.out_of_vocabulary_penalty.min(0.0))),
            (None, Some(model)) => model
                .lexicon()
                .map(|lexicon| (lexicon, model.weights.unknown_word.min(0.0))),
            (None, None) => None,
        }
    }
}

/// How far below its frame's likeliest class (natural log) a symbol is too unlikely to read:
/// e²⁰ is 5 × 10⁸ times less likely, more than the word list's penalty and the language model's
/// greatest help could make up for in any text the beam keeps. On the line model's frames of
/// real writing, about a quarter of the symbols are within it, so the search scores a quarter
/// of the extensions it would otherwise. The 600 words of the page's test fixtures and of the
/// validation writers read the same to the letter with it and without it, with and without the
/// language model and a word list, and every figure of the test writers' evaluation is
/// unchanged; the search took a third of the time.
const UNREADABLE: f32 = 20.0;

/// Reads the likeliest text, summing over all the paths that spell it, and with a word list,
/// the likeliest text made of listed words where the network is unsure. A word is a run of
/// ASCII letters, in a case its entry allows (see [`WordList`]); digits, punctuation and
/// spaces are never constrained. Costs about `width` × (the symbols read at a frame) steps a
/// frame.
pub fn beam_search(
    log_probs: &[f32],
    alphabet: &[char],
    options: &BeamOptions,
) -> Result<Decoded, DecodeError> {
    let frames = Frames::new(log_probs, alphabet)?;
    let mut search = Search::new(alphabet, options);
    for frame in 0..frames.len() {
        search.advance(&frames, frame);
    }
    let Some((labels, log_probability)) = search.best() else {
        return Ok(Decoded {
            text: String::new(),
            symbols: Vec::new(),
            log_probability: f32::NEG_INFINITY,
        });
    };
    // The text was read along paths of nonzero probability, so it always aligns.
    let symbols = align::align_classes(&frames, alphabet, &labels).unwrap_or_default();
    Ok(Decoded {
        text: labels
            .iter()
            .map(|&class| symbol(alphabet, class))
            .collect(),
        symbols,
        log_probability,
    })
}

/// ln(eᵃ + eᵇ) without overflow, exact when either is impossible (−∞).
pub(super) fn log_add(a: f32, b: f32) -> f32 {
    let (high, low) = if a >= b { (a, b) } else { (b, a) };
    if low == f32::NEG_INFINITY {
        high
    } else {
        high + (low - high).exp().ln_1p()
    }
}

/// Where a prefix's last word stands against the word list.
#[derive(Debug, Clone, Copy)]
enum WordState {
    /// Not in a word: at the start, after a non-letter, or without a word list.
    Between,
    /// In a word that listed words start with, its capitals so far a bit per letter (bit 0
    /// the first).
    Listed(WordPrefix, u64),
    /// In a word that no listed word starts with: penalised once, when it left the list.
    Unlisted,
}

/// The word list's (or lexicon's) verdict on prefixes; with neither, every prefix is fine.
struct Vocabulary<'a> {
    list: Option<&'a WordList>,
    penalty: f32,
    /// The letters words start with, looked up once: needed after every space, and the
    /// costliest to look up (a search of the whole list for each).
    first_letters: Vec<(u8, WordPrefix)>,
}

impl<'a> Vocabulary<'a> {
    fn new(options: &BeamOptions<'a>) -> Self {
        let (list, penalty) = options
            .expected_words()
            .map_or((None, 0.0), |(list, penalty)| (Some(list), penalty));
        Self {
            list,
            penalty,
            first_letters: list
                .map_or_else(Vec::new, |list| list.continuations(list.root()).collect()),
        }
    }

    /// The letters that keep a word in the list, each with where it leads. Those of a word
    /// begun are kept in `cache` under `node`, the prefix's, for as long as it stays in the
    /// beam: list look-ups are the search's costliest step.
    fn continuations<'s>(
        &'s self,
        state: WordState,
        node: usize,
        cache: &'s mut HashMap<usize, Vec<(u8, WordPrefix)>>,
    ) -> &'s [(u8, WordPrefix)] {
        match (self.list, state) {
            (Some(_), WordState::Between) => &self.first_letters,
            (Some(list), WordState::Listed(prefix, _)) => cache
                .entry(node)
                .or_insert_with(|| list.continuations(prefix).collect()),
            _ => &[],
        }
    }

    /// The word state after `symbol`, and what it costs; `continuations` are `state`'s.
    fn step(
        &self,
        state: WordState,
        symbol: char,
        continuations: &[(u8, WordPrefix)],
    ) -> (WordState, f32) {
        if self.list.is_none() {
            return (WordState::Between, 0.0);
        }
        if !symbol.is_ascii_alphabetic() {
            return (WordState::Between, self.word_end_penalty(state));
        }
        if let WordState::Unlisted = state {
            return (WordState::Unlisted, 0.0);
        }
        let letter = (symbol as u8).to_ascii_lowercase();
        let capitals = match state {
            WordState::Listed(_, capitals) => capitals,
            _ => 0,
        };
        match continuations.iter().find(|&&(next, _)| next == letter) {
            Some(&(_, prefix)) => {
                // `prefix` is a listed word's beginning: at most 64 letters, one bit each.
                let capital = u64::from(symbol.is_ascii_uppercase()) << (prefix.letters() - 1);
                (WordState::Listed(prefix, capitals | capital), 0.0)
            }
            None => (WordState::Unlisted, self.penalty),
        }
    }

    /// What ending the word in `state` costs: a word that ends must be listed, not just begin
    /// one, and in a case its entry allows.
    fn word_end_penalty(&self, state: WordState) -> f32 {
        match (self.list, state) {
            (Some(list), WordState::Listed(prefix, capitals))
                if !list.is_word_written(prefix, capitals) =>
            {
                self.penalty
            }
            _ => 0.0,
        }
    }
}

/// A prefix that was once in the beam, one node per text (see [`Search::children`]). Prefixes
/// share their beginnings, so a prefix is its node's chain of parents.
struct Node {
    parent: Option<usize>,
    /// Its last symbol, or blank for the empty prefix.
    class: usize,
    word: WordState,
    /// Its last symbols, as the language model (if any) reads them.
    history: History,
    /// What the word list and the language model make of its symbols so far (natural log).
    prior: f32,
}

/// A prefix in the beam, with the log-probabilities of its paths so far, split by whether they
/// end in blank or in its last symbol.
#[derive(Debug, Clone, Copy)]
struct Hypothesis {
    node: usize,
    blank: f32,
    symbol: f32,
}

impl Hypothesis {
    fn total(&self) -> f32 {
        log_add(self.blank, self.symbol)
    }
}

/// A prefix the next beam may keep: one of the beam's own, or one extended by a symbol (not a
/// node yet, as most are dropped).
struct Candidate {
    origin: Origin,
    blank: f32,
    symbol: f32,
    word: WordState,
    history: History,
    prior: f32,
}

#[derive(Clone, Copy)]
enum Origin {
    Kept(usize),
    Extended { parent: usize, class: usize },
}

impl Candidate {
    fn score(&self) -> f32 {
        log_add(self.blank, self.symbol) + self.prior
    }
}

struct Search<'a> {
    alphabet: &'a [char],
    vocabulary: Vocabulary<'a>,
    width: usize,
    nodes: Vec<Node>,
    /// Each node's extensions by a class, so that a text that returns to the beam gets its old
    /// node back: a beam prefix and another's extension are then one text exactly when they are
    /// one node, which merging relies on.
    children: HashMap<(usize, usize), usize>,
    beam: Vec<Hypothesis>,
    /// The beam's prefixes in beam order, then each one's extensions by the symbols read at
    /// this frame, in class order; reused from frame to frame.
    candidates: Vec<Candidate>,
    /// Where each beam prefix's extensions start among the candidates, and where the last
    /// one's end (see [`Search::extension`]).
    extensions: Vec<usize>,
    /// The word list's continuations of each beam prefix in a word, by node, worked out once
    /// while it stays in the beam (as `next_symbols`; see [`Vocabulary::continuations`]).
    /// Looked up every frame, the language model's lexicon (63,579 words) added 5.2 ms to the
    /// page's 25 ms reading of a 10-character line; once per prefix, 2.2 ms.
    continuations: HashMap<usize, Vec<(u8, WordPrefix)>>,
    language_model: Option<&'a LanguageModel>,
    /// How much its n-grams count: less with the user's word list (see
    /// [`crate::ctc::LanguageModelWeights::ngram_with_word_list`]).
    ngram: f32,
    /// The language model's probabilities after each beam prefix, by node: a prefix keeps its
    /// text for many frames (most frames read as blank), so they are worked out once while it
    /// stays in the beam rather than every frame.
    next_symbols: HashMap<usize, [f32; SYMBOLS]>,
}

impl<'a> Search<'a> {
    fn new(alphabet: &'a [char], options: &BeamOptions<'a>) -> Self {
        let empty = Node {
            parent: None,
            class: BLANK,
            word: WordState::Between,
            history: History::start(),
            prior: 0.0,
        };
        Self {
            alphabet,
            vocabulary: Vocabulary::new(options),
            width: options.width.max(1),
            nodes: vec![empty],
            children: HashMap::new(),
            beam: vec![Hypothesis {
                node: 0,
                blank: 0.0,
                symbol: f32::NEG_INFINITY,
            }],
            candidates: Vec::new(),
            extensions: Vec::new(),
            continuations: HashMap::new(),
            language_model: options.language_model,
            ngram: options.language_model.map_or(0.0, |model| {
                model.weights.ngram_for(options.word_list.is_some())
            }),
            next_symbols: HashMap::new(),
        }
    }

    fn advance(&mut self, frames: &Frames, frame: usize) {
        self.candidates.clear();
        self.keep_prefixes(frames, frame);
        self.extend_prefixes(frames, frame);
        self.merge_extensions_into_kept();
        self.prune();
    }

    /// The beam's prefixes read on through this frame as blank or as their last symbol again.
    fn keep_prefixes(&mut self, frames: &Frames, frame: usize) {
        for hypothesis in &self.beam {
            let node = &self.nodes[hypothesis.node];
            let repeated = match node.class {
                BLANK => f32::NEG_INFINITY,
                class => hypothesis.symbol + frames.log_prob(frame, class),
            };
            self.candidates.push(Candidate {
                origin: Origin::Kept(hypothesis.node),
                blank: hypothesis.total() + frames.log_prob(frame, BLANK),
                symbol: repeated,
                word: node.word,
                history: node.history,
                prior: node.prior,
            });
        }
    }

    /// The beam's prefixes extended by each symbol read at this frame: not one more than
    /// [`UNREADABLE`] below the frame's likeliest class.
    fn extend_prefixes(&mut self, frames: &Frames, frame: usize) {
        let floor = frames.log_prob(frame, frames.best_class(frame)) - UNREADABLE;
        let readable = |class: usize| frames.log_prob(frame, class) >= floor;
        let any_readable = (1..=self.alphabet.len()).any(readable);
        self.extensions.clear();
        for hypothesis in &self.beam {
            self.extensions.push(self.candidates.len());
            if !any_readable {
                continue;
            }
            let node = &self.nodes[hypothesis.node];
            let continuations =
                self.vocabulary
                    .continuations(node.word, hypothesis.node, &mut self.continuations);
            let total = hypothesis.total();
            let next_symbols = match self.language_model {
                Some(model) => Some(
                    &*self
                        .next_symbols
                        .entry(hypothesis.node)
                        .or_insert_with(|| model.next_probabilities(node.history)),
                ),
                _ => None,
            };
            for (class, &symbol) in (1..).zip(self.alphabet) {
                if !readable(class) {
                    continue;
                }
                // Doubling the last symbol takes a blank between; else any path may go on.
                let before = if class == node.class {
                    hypothesis.blank
                } else {
                    total
                };
                let (word, penalty) = self.vocabulary.step(node.word, symbol, continuations);
                let (history, likelihood) = match (self.language_model, next_symbols) {
                    (Some(model), Some(probabilities)) => (
                        model.then(node.history, symbol),
                        model.symbol_score(self.ngram, node.history, probabilities, symbol),
                    ),
                    _ => (node.history, 0.0),
                };
                self.candidates.push(Candidate {
                    origin: Origin::Extended {
                        parent: hypothesis.node,
                        class,
                    },
                    blank: f32::NEG_INFINITY,
                    symbol: before + frames.log_prob(frame, class),
                    word,
                    history,
                    prior: node.prior + penalty + likelihood,
                });
            }
        }
        self.extensions.push(self.candidates.len());
    }

    /// Where the extension of the `index`th beam prefix by `class` is among the candidates, if
    /// that symbol was read at this frame.
    fn extension(&self, index: usize, class: usize) -> Option<usize> {
        let (start, end) = (self.extensions[index], self.extensions[index + 1]);
        (start..end).find(|&candidate| {
            matches!(self.candidates[candidate].origin, Origin::Extended { class: c, .. } if c == class)
        })
    }

    /// A beam prefix that is another beam prefix plus one symbol is also that one's extension:
    /// one text, so their paths add up, and only one may go on.
    fn merge_extensions_into_kept(&mut self) {
        for (kept, hypothesis) in self.beam.iter().enumerate() {
            let node = &self.nodes[hypothesis.node];
            let Some(parent) = node.parent else { continue };
            let Some(index) = self.beam.iter().position(|other| other.node == parent) else {
                continue;
            };
            let Some(extension) = self.extension(index, node.class) else {
                continue;
            };
            let paths =
                std::mem::replace(&mut self.candidates[extension].symbol, f32::NEG_INFINITY);
            let candidate = &mut self.candidates[kept];
            candidate.symbol = log_add(candidate.symbol, paths);
        }
    }

    /// Keeps the `width` likeliest candidates as the next beam, likeliest first.
    fn prune(&mut self) {
        let mut ranked: Vec<(f32, usize)> = self
            .candidates
            .iter()
            .map(Candidate::score)
            .zip(0..)
            .filter(|&(score, _)| score > f32::NEG_INFINITY)
            .collect();
        // Equals in candidate order, so that readings never depend on chance.
        let order = |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if ranked.len() > self.width {
            ranked.select_nth_unstable_by(self.width - 1, order);
            ranked.truncate(self.width);
        }
        ranked.sort_unstable_by(order);
        self.beam = ranked
            .into_iter()
            .map(|(_, index)| {
                let candidate = &self.candidates[index];
                let node = match candidate.origin {
                    Origin::Kept(node) => node,
                    Origin::Extended { parent, class } => {
                        *self.children.entry((parent, class)).or_insert_with(|| {
                            self.nodes.push(Node {
                                parent: Some(parent),
                                class,
                                word: candidate.word,
                                history: candidate.history,
                                prior: candidate.prior,
                            });
                            self.nodes.len() - 1
                        })
                    }
                };
                Hypothesis {
                    node,
                    blank: candidate.blank,
                    symbol: candidate.symbol,
                }
            })
            .collect();
        let beam = &self.beam;
        let in_beam = |node: &usize| beam.iter().any(|hypothesis| hypothesis.node == *node);
        self.next_symbols.retain(|node, _| in_beam(node));
        self.continuations.retain(|node, _| in_beam(node));
    }

    /// The likeliest text once every frame is read, as classes, with its score; words still
    /// open at the end must be complete. None when nothing is possible.
    fn best(&self) -> Option<(Vec<usize>, f32)> {
        self.beam
            .iter()
            .map(|hypothesis| {
                let node = &self.nodes[hypothesis.node];
                let end = self.vocabulary.word_end_penalty(node.word)
                    + self
                        .language_model
                        .map_or(0.0, |model| model.end_score(self.ngram, node.history));
                (hypothesis.node, hypothesis.total() + node.prior + end)
            })
            .filter(|&(_, score)| score > f32::NEG_INFINITY)
            .min_by(|a, b| b.1.total_cmp(&a.1))
            .map(|(node, score)| (self.labels(node), score))
    }

    /// A prefix's classes, first to last.
    fn labels(&self, mut node: usize) -> Vec<usize> {
        let mut labels = Vec::new();
        while let Some(parent) = self.nodes[node].parent {
            labels.push(self.nodes[node].class);
            node = parent;
        }
        labels.reverse();
        labels
    }
}

#[cfg(test)]
mod tests {
    use super::super::greedy;
    use super::super::test_support::{alphabet, output, peaked};
    use super::*;
    use crate::ctc::LanguageModelWeights;

    const WEIGHTS: LanguageModelWeights = LanguageModelWeights {
        ngram: 0.5,
        ngram_with_word_list: 0.5,
        symbol_bonus: 1.0,
        case: 0.0,
        unknown_word: 0.0,
    };

    fn read(log_probs: &[f32], list: Option<&WordList>, penalty: f32) -> Decoded {
        let options = BeamOptions {
            word_list: list,
            out_of_vocabulary_penalty: penalty,
            ..BeamOptions::default()
        };
        beam_search(log_probs, &alphabet(), &options).unwrap()
    }

    fn words(list: &str) -> WordList {
        WordList::parse(list.as_bytes()).unwrap()
    }

    /// "hcllo 42", where the second letter is 'c' by a little over 'e'.
    fn hcllo_42() -> Vec<f32> {
        let mut frames: Vec<Vec<(char, f32)>> = "_h_c_l_l_o_ _4_2_"
            .chars()
            .map(|c| vec![(c, 0.9)])
            .collect();
        frames[3] = vec![('c', 0.5), ('e', 0.4)];
        let frames: Vec<&[(char, f32)]> = frames.iter().map(Vec::as_slice).collect();
        output(&alphabet(), &frames)
    }

    #[test]
    fn log_add_sums_probabilities() {
        assert!((log_add(0.3f32.ln(), 0.5f32.ln()) - 0.8f32.ln()).abs() < 1e-6);
        assert_eq!(log_add(f32::NEG_INFINITY, -2.0), -2.0);
        assert_eq!(
            log_add(f32::NEG_INFINITY, f32::NEG_INFINITY),
            f32::NEG_INFINITY
        );
    }

    #[test]
    fn reads_as_greedy_where_the_network_is_sure() {
        let alphabet = alphabet();
        for path in [
            "_hh_e_ll_l_oo_",
            "hhello",
            "a_a a",
            "l_l",
            "H'4 2_",
            "",
            "____",
            "x",
        ] {
            let log_probs = peaked(&alphabet, path);
            let beam = read(&log_probs, None, -10.0);
            let greedy = greedy(&log_probs, &alphabet).unwrap();
            assert_eq!(beam.text, greedy.text, "{path}");
            assert_eq!(beam.symbols, greedy.symbols, "{path}");
        }
    }

    #[test]
    fn sums_the_paths_of_a_text_where_greedy_takes_one() {
        // Blank is likelier at each frame, but "a" has three paths (a_, _a, aa): 0.64 against
        // the one path of "" (__): 0.36.
        let alphabet = ['a'];
        let frame: &[(char, f32)] = &[('_', 0.6), ('a', 0.4)];
        let log_probs = output(&alphabet, &[frame, frame]);
        assert_eq!(greedy(&log_probs, &alphabet).unwrap().text, "");
        let decoded = beam_search(&log_probs, &alphabet, &BeamOptions::default()).unwrap();
        assert_eq!(decoded.text, "a");
        assert!((decoded.log_probability - 0.64f32.ln()).abs() < 1e-5);
        assert_eq!(decoded.symbols[0].frames, 0..1);
    }

    /// Every text's probability, summed over all of its paths one by one: exact, and exponential.
    fn texts_by_brute_force(frames: &[Vec<f32>]) -> HashMap<Vec<usize>, f64> {
        let classes = frames[0].len();
        let mut texts = HashMap::new();
        for number in 0..classes.pow(frames.len() as u32) {
            let path: Vec<usize> = (0..frames.len() as u32)
                .map(|frame| number / classes.pow(frame) % classes)
                .collect();
            let probability: f64 = (0..frames.len())
                .map(|t| f64::from(frames[t][path[t]]))
                .product();
            let mut text: Vec<usize> = path.clone();
            text.dedup();
            text.retain(|&class| class != BLANK);
            *texts.entry(text).or_insert(0.0) += probability;
        }
        texts
    }

    /// Deterministic random frames of 2 symbols and blank, as probabilities and as output.
    fn random_frames(seed: &mut u32, count: usize) -> (Vec<Vec<f32>>, Vec<f32>) {
        let mut random = || {
            *seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            0.05 + (*seed >> 16) as f32 / 65536.0
        };
        let frames: Vec<Vec<f32>> = (0..count)
            .map(|_| {
                let weights: Vec<f32> = (0..3).map(|_| random()).collect();
                let sum: f32 = weights.iter().sum();
                weights.iter().map(|weight| weight / sum).collect()
            })
            .collect();
        let log_probs = frames.iter().flatten().map(|p| p.ln()).collect();
        (frames, log_probs)
    }

    #[test]
    fn finds_the_likeliest_text_and_its_probability_exactly_when_wide_enough() {
        let alphabet = ['a', 'b'];
        let options = BeamOptions {
            width: 64, // every prefix of 5 frames of 2 symbols: 1 + 2 + … + 32
            ..BeamOptions::default()
        };
        let mut seed = 12345;
        for _ in 0..20 {
            let (frames, log_probs) = random_frames(&mut seed, 5);
            let texts = texts_by_brute_force(&frames);
            let (best, probability) = texts.iter().max_by(|a, b| a.1.total_cmp(b.1)).unwrap();
            let decoded = beam_search(&log_probs, &alphabet, &options).unwrap();
            let expected: String = best.iter().map(|&class| alphabet[class - 1]).collect();
            assert_eq!(decoded.text, expected, "{frames:?}");
            assert!((f64::from(decoded.log_probability) - probability.ln()).abs() < 1e-4);
        }
    }

    #[test]
    fn a_narrow_beam_never_holds_one_text_twice() {
        let alphabet = ['a', 'b'];
        let mut seed = 54321;
        for trial in 0..200 {
            let options = BeamOptions {
                width: 2 + trial % 4,
                ..BeamOptions::default()
            };
            let (_, log_probs) = random_frames(&mut seed, 30);
            let frames = Frames::new(&log_probs, &alphabet).unwrap();
            let mut search = Search::new(&alphabet, &options);
            for frame in 0..frames.len() {
                search.advance(&frames, frame);
                let beam = &search.beam;
                let mut texts: Vec<_> = beam.iter().map(|kept| search.labels(kept.node)).collect();
                texts.sort();
                texts.dedup();
                assert_eq!(texts.len(), beam.len(), "trial {trial}, frame {frame}");
            }
        }
    }

    #[test]
    fn a_word_list_settles_unsure_letters_but_not_digits() {
        let log_probs = hcllo_42();
        assert_eq!(read(&log_probs, None, -10.0).text, "hcllo 42");
        let list = words("hello\nworld\n");
        for penalty in [-10.0, f32::NEG_INFINITY] {
            let decoded = read(&log_probs, Some(&list), penalty);
            assert_eq!(decoded.text, "hello 42", "penalty {penalty}");
            assert_eq!(decoded.symbols.len(), 8);
            assert_eq!(decoded.symbols[1].symbol, 'e');
        }
    }

    #[test]
    fn a_language_model_settles_unsure_letters_and_the_score_says_what_it_added() {
        let log_probs = hcllo_42();
        let model = LanguageModel::learn(["hello there", "help", "yellow"], 3, WEIGHTS);
        let options = BeamOptions {
            language_model: Some(&model),
            ..BeamOptions::default()
        };
        let decoded = beam_search(&log_probs, &alphabet(), &options).unwrap();
        assert_eq!(decoded.text, "hello 42");
        // Its score is its paths' probability plus the model's score of the text, which the
        // network alone finds less likely than its own reading.
        let network = beam_search(&log_probs, &alphabet(), &BeamOptions::default()).unwrap();
        assert_eq!(network.text, "hcllo 42");
        let paths = decoded.log_probability - options.prior("hello 42");
        assert!(paths < network.log_probability);
        // About 0.4 against 0.5 at the unsure frame (other frames add paths of their own).
        assert!((paths - (network.log_probability + (0.4f32 / 0.5).ln())).abs() < 0.05);
    }

    #[test]
    fn the_lexicon_settles_unsure_letters_unless_a_word_list_stands_in() {
        let log_probs = hcllo_42();
        let lexicon_only = |unknown_word| {
            let weights = LanguageModelWeights {
                ngram: 0.0,
                ngram_with_word_list: 0.0,
                symbol_bonus: 0.0,
                case: 0.0,
                unknown_word,
            };
            LanguageModel::learn(["hello"], 3, weights)
                .with_lexicon(["hello"])
                .unwrap()
        };
        let read_with = |model: &LanguageModel, word_list| {
            let options = BeamOptions {
                language_model: Some(model),
                word_list,
                ..BeamOptions::default()
            };
            (
                beam_search(&log_probs, &alphabet(), &options).unwrap().text,
                options.prior("hcllo 42"),
            )
        };
        // "hcllo" is ln(0.5 / 0.4) ≈ 0.22 likelier to the network: less than the lexicon's 3.
        let model = lexicon_only(-3.0);
        assert_eq!(read_with(&model, None), ("hello 42".to_string(), -3.0));
        let free = lexicon_only(0.0);
        assert_eq!(read_with(&free, None), ("hcllo 42".to_string(), 0.0));
        let list = words("hcllo");
        assert_eq!(
            read_with(&model, Some(&list)),
            ("hcllo 42".to_string(), 0.0)
        );
    }

    #[test]
    fn a_word_list_weighs_the_n_grams_at_their_weight_for_lists() {
        let log_probs = hcllo_42();
        let list = words("hello");
        let read = |ngram_with_word_list| {
            let weights = LanguageModelWeights {
                ngram: 8.0,
                ngram_with_word_list,
                symbol_bonus: 0.0,
                case: 0.0,
                unknown_word: 0.0,
            };
            // N-grams that only ever saw "hcllo 42": weighed heavily, they outvote the list.
            let model = LanguageModel::learn(["hcllo 42"], 3, weights);
            let options = BeamOptions {
                language_model: Some(&model),
                word_list: Some(&list),
                ..BeamOptions::default()
            };
            let decoded = beam_search(&log_probs, &alphabet(), &options).unwrap();
            let with_list = model.score(&decoded.text, true);
            assert_eq!(
                options.prior(&decoded.text),
                with_list
                    + if decoded.text == "hello 42" {
                        0.0
                    } else {
                        -10.0
                    }
            );
            decoded.text
        };
        assert_eq!(read(8.0), "hcllo 42");
        assert_eq!(read(0.5), "hello 42");
    }

    #[test]
    fn a_sure_network_reads_through_the_symbols_the_search_skips() {
        // Every class but each frame's own is e^-25 below it: too unlikely to read there.
        let alphabet = alphabet();
        let classes = alphabet.len() + 1;
        let log_probs: Vec<f32> = "_h_e_l_l_o_ _4_2_"
            .chars()
            .flat_map(|c| {
                let own = super::super::class_of(&alphabet, c).unwrap_or(BLANK);
                (0..classes).map(move |class| if class == own { 0.0 } else { -25.0 })
            })
            .collect();
        let model = LanguageModel::learn(["hello there"], 3, WEIGHTS);
        let list = words("hello");
        for (language_model, word_list) in [
            (None, None),
            (Some(&model), None),
            (Some(&model), Some(&list)),
        ] {
            let options = BeamOptions {
                language_model,
                word_list,
                ..BeamOptions::default()
            };
            let decoded = beam_search(&log_probs, &alphabet, &options).unwrap();
            assert_eq!(decoded.text, "hello 42");
            let paths = decoded.log_probability - options.prior("hello 42");
            assert!(paths.abs() < 1e-3, "{paths}");
        }
    }

    #[test]
    fn a_sure_network_outweighs_the_language_model() {
        let alphabet = alphabet();
        let log_probs = peaked(&alphabet, "_x_q_z_");
        let model = LanguageModel::learn(["hello there"], 3, WEIGHTS);
        let options = BeamOptions {
            language_model: Some(&model),
            ..BeamOptions::default()
        };
        assert_eq!(
            beam_search(&log_probs, &alphabet, &options).unwrap().text,
            "xqz"
        );
    }

    #[test]
    fn unlisted_words_are_forbidden_or_penalised() {
        let alphabet = alphabet();
        let log_probs = output(
            &alphabet,
            &[&[('x', 0.999)], &[('y', 0.999)], &[('z', 0.999)]],
        );
        let list = words("hello\n");
        let forbidden = read(&log_probs, Some(&list), f32::NEG_INFINITY);
        assert!(list.lists_all(&forbidden.text), "{forbidden:?}");
        assert_eq!(read(&log_probs, Some(&list), -10.0).text, "xyz");
        assert_eq!(read(&log_probs, None, f32::NEG_INFINITY).text, "xyz");
    }

    #[test]
    fn a_word_that_ends_must_be_whole() {
        let alphabet = alphabet();
        let list = words("hello\n");
        for path in ["h_e_l_l", "h_e_l_l_ _4"] {
            let log_probs = peaked(&alphabet, path);
            let decoded = read(&log_probs, Some(&list), f32::NEG_INFINITY);
            assert!(list.lists_all(&decoded.text), "{path}: {decoded:?}");
            let penalised = read(&log_probs, Some(&list), -1.0);
            assert_eq!(penalised.text, greedy(&log_probs, &alphabet).unwrap().text);
            assert!(penalised.log_probability < read(&log_probs, None, -1.0).log_probability);
        }
    }

    #[test]
    fn the_network_decides_the_case_among_those_the_entry_allows() {
        let log_probs = peaked(&alphabet(), "_H_e_l_l_o_");
        let list = words("hello\n");
        assert_eq!(
            read(&log_probs, Some(&list), f32::NEG_INFINITY).text,
            "Hello"
        );
        // An unsure capital: the network leans to "hal", a list of names to "Hal".
        let unsure = output(
            &alphabet(),
            &[&[('h', 0.55), ('H', 0.4)], &[('a', 0.95)], &[('l', 0.95)]],
        );
        assert_eq!(read(&unsure, None, -10.0).text, "hal");
        assert_eq!(read(&unsure, Some(&words("Hal\n")), -10.0).text, "Hal");
        assert_eq!(read(&unsure, Some(&words("hal\n")), -10.0).text, "hal");
    }

    #[test]
    fn garbage_reads_as_little_as_it_says_without_panicking() {
        let alphabet = alphabet();
        let classes = alphabet.len() + 1;
        let list = words("hello\n");
        for list in [None, Some(&list)] {
            let nan = read(&vec![f32::NAN; 6 * classes], list, -10.0);
            assert_eq!(
                (nan.text.as_str(), nan.log_probability),
                ("", f32::NEG_INFINITY)
            );
            let infinite = read(&vec![f32::INFINITY; 6 * classes], list, -10.0);
            assert!(infinite.symbols.iter().all(|read| read.confidence <= 1.0));
            let empty = read(&[], list, -10.0);
            assert_eq!((empty.text.as_str(), empty.log_probability), ("", 0.0));
        }
        let mut log_probs = peaked(&alphabet, "_h_i_");
        log_probs[2 * classes + 3] = f32::NAN;
        assert_eq!(read(&log_probs, None, -10.0).text, "hi");
        let options = BeamOptions {
            width: 0,
            ..BeamOptions::default()
        };
        assert_eq!(
            beam_search(&log_probs, &alphabet, &options).unwrap().text,
            "hi"
        );
        assert!(matches!(
            beam_search(&[0.0; 7], &alphabet, &options),
            Err(DecodeError::Shape { values: 7, .. })
        ));
    }
}
