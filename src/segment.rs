//! Splitting a line of handwriting into characters, in pure Rust.
//!
//! Strokes are grouped by the columns they cover: a stroke that shares most of its width with
//! a character belongs to it (the bar of a "7", the second stroke of a "4"). A group wide enough
//! to be several characters written touching also gets other readings, cut where the ink is
//! thinnest and at even spacings around it; recognition later decides which reading is right.

use serde::Serialize;

use crate::preprocess::{ColumnProfile, Point, Stroke, drawable};

/// A stroke joins a character when they share at least this fraction of the narrower's width.
const JOIN_OVERLAP: f32 = 0.5;
/// A group at least this many times wider than tall is flat: a bar or a flag, not a character
/// of its own when it touches one...
const FLAT_ASPECT: f32 = 2.0;
/// ...at most this fraction of whose height it is.
const FLAT_HEIGHT: f32 = 0.7;
/// A group smaller than this fraction of the line's tallest character is a speck, not a character.
const SPECK_FRACTION: f32 = 0.15;
/// A character this narrow (width over height) may carry a dot: an i, a j.
const DOTTED_ASPECT: f32 = 0.6;
/// A dot lies within this fraction of its stem's height beside the stem's columns...
const DOT_REACH: f32 = 0.35;
/// ...and no lower than this fraction of the stem's height below its top.
const DOT_DROP: f32 = 0.25;
/// A group wider than this many times its height may be several characters touching.
const SPLIT_ASPECT: f32 = 1.1;
/// A lower-case letter of the x-height (a, n, u) fills a box up to this aspect: as wide as
/// other letters, it stands only about 0.6 as tall...
const SHORT_ASPECT: f32 = 1.5;
/// ...and no longer at this one.
const MAX_SHORT_ASPECT: f32 = 2.5;
/// Typical width of a handwritten character as a fraction of its height, for guessing how
/// many characters a touching group holds.
const CHARACTER_ASPECT: f32 = 0.7;
/// A cut is sought within this fraction of a character's width around where it is expected.
const CUT_REACH: f32 = 0.35;
/// A piece of a cut group is at least this fraction of the group's height: touching characters
/// stand about as tall as each other, while a flat piece is a fragment of one wide stroke (the
/// long flag of a 5 or bar of a 7, cut into dashes a digits model reads as confident 1s).
const MIN_PIECE_HEIGHT: f32 = 0.3;
/// Cuts closer than this fraction of a group's height draw the same pieces but for a sliver
/// (a fifth of a pixel of the 20-pixel box a glyph is drawn in): one of them is enough. Not
/// more: validation writers' words read differently with cuts a pixel apart.
const SAME_CUT: f32 = 0.01;
/// Up to this many pieces, a group is also cut at even spacings shifted left and right: where
/// two or three characters touch, one shift can fit them all; across a longer group of letters
/// of different widths (a joined-up word), none does, and those cuts only cost time (the
/// validation writers' words and digits read the same without them, a joined-up word in
/// *Auto* in 38 ms rather than 88).
const MAX_SHIFTED_PIECES: usize = 3;
/// The most characters one touching group is read as: bounds the work on a pathological line.
const MAX_PIECES: usize = 12;
/// No single character is this many times wider than tall: the aspect at which a group's
/// reading as one character has lost all plausibility.
const MAX_ASPECT: f32 = 2.0;
/// The same for characters that are wide by nature (m, w, M, W).
const MAX_WIDE_ASPECT: f32 = 3.0;

/// An axis-aligned box in canvas coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bounds {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl Bounds {
    /// The box the strokes' ink covers, pen width included. `strokes` must be [`drawable`].
    fn of(strokes: &[Stroke]) -> Self {
        let (mut left, mut top) = (f32::INFINITY, f32::INFINITY);
        let (mut right, mut bottom) = (f32::NEG_INFINITY, f32::NEG_INFINITY);
        for stroke in strokes {
            let radius = stroke.width / 2.0;
            for p in &stroke.points {
                left = left.min(p.x - radius);
                top = top.min(p.y - radius);
                right = right.max(p.x + radius);
                bottom = bottom.max(p.y + radius);
            }
        }
        Self {
            x: left,
            y: top,
            width: right - left,
            height: bottom - top,
        }
    }

    fn right(&self) -> f32 {
        self.x + self.width
    }

    fn aspect(&self) -> f32 {
        self.width / self.height.max(f32::MIN_POSITIVE)
    }

    /// How plausible it is, by shape alone, that one character of `breadth` fills this box:
    /// 1 up to the aspect such characters reach, falling to 0 at the one they never do.
    pub fn one_character_plausibility(&self, breadth: Breadth) -> f32 {
        let (full, none) = match breadth {
            Breadth::Ordinary => (SPLIT_ASPECT, MAX_ASPECT),
            Breadth::Short => (SHORT_ASPECT, MAX_SHORT_ASPECT),
            Breadth::Wide => (MAX_ASPECT, MAX_WIDE_ASPECT),
        };
        ((none - self.aspect()) / (none - full)).clamp(0.0, 1.0)
    }

    /// Whether the two boxes overlap.
    fn intersects(&self, other: &Self) -> bool {
        self.x <= other.right()
            && other.x <= self.right()
            && self.y <= other.y + other.height
            && other.y <= self.y + self.height
    }

    /// Whether `other`'s centre lies inside this box.
    fn holds_centre_of(&self, other: &Self) -> bool {
        let (x, y) = (other.x + other.width / 2.0, other.y + other.height / 2.0);
        x >= self.x && x <= self.right() && y >= self.y && y <= self.y + self.height
    }

    /// Whether `right`, the next group along the line, touches or overlaps this box sideways:
    /// close enough to be strokes of one character. Any further apart and two letters read as
    /// one wide one too often (validation writers' printed words, allowing a gap of a fifth of
    /// the height: 35 of 200 read right, against 108).
    pub(crate) fn touches_sideways(&self, right: &Self) -> bool {
        right.x <= self.right()
    }

    /// Whether the two share enough columns to be one character.
    fn shares_columns(&self, other: &Self) -> bool {
        let overlap = self.right().min(other.right()) - self.x.max(other.x);
        overlap >= JOIN_OVERLAP * self.width.min(other.width)
    }
}

/// How wide characters of a kind run for their height.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breadth {
    /// Most characters: at most about as wide as tall.
    Ordinary,
    /// Lower-case letters of the x-height (a, n, u): as wide as others, but shorter.
    Short,
    /// Wide by nature (m, w, M, W).
    Wide,
}

/// The strokes of one character (or of what may be several touching ones) and their box.
#[derive(Debug, Clone, PartialEq)]
pub struct Character {
    pub strokes: Vec<Stroke>,
    pub bounds: Bounds,
}

impl Character {
    pub(crate) fn new(strokes: Vec<Stroke>) -> Self {
        Self {
            bounds: Bounds::of(&strokes),
            strokes,
        }
    }

    pub(crate) fn absorb(mut self, other: Character) -> Self {
        self.strokes.extend(other.strokes);
        Self::new(self.strokes)
    }
}

/// One place in a line: a character and, when it is wide enough to be several characters
/// written touching, the other ways to read it, each cut into pieces left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub whole: Character,
    /// Empty when the group is not wide enough to hold two characters.
    pub splits: Vec<Split>,
    /// Tiny beside the line's characters: a full stop, a comma or a stray touch of the pen.
    pub speck: bool,
}

/// A wide group cut into pieces, left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub pieces: Vec<Character>,
    /// How many of the cuts cross the ink more than once. Characters written touching touch
    /// once, where one runs into the next; a cut that crosses the ink twice or more goes
    /// through a loop (a wide nought's, the bowl and base of a wide 2), which one character
    /// makes far more often than two.
    pub loops_cut: usize,
}

/// Groups a line's strokes into characters, left to right. A speck inside a character's box,
/// or just above a narrow one (the dot of an i, a j), joins it; other specks stay, marked. An
/// empty or pointless stroke list gives no segments.
pub fn segment(strokes: &[Stroke]) -> Vec<Segment> {
    let groups = join_flat_groups(group_by_columns(drawable(strokes)));
    let line_height = groups.iter().map(|g| g.bounds.height).fold(0.0, f32::max);
    let is_speck =
        |g: &Character| g.bounds.width.max(g.bounds.height) < SPECK_FRACTION * line_height;
    let (specks, mut characters): (Vec<Character>, Vec<Character>) =
        groups.into_iter().partition(is_speck);
    let mut segments = Vec::new();
    for speck in specks {
        // A speck inside a character's box is part of it (a pen's blip, a detail), and one
        // just above a narrow character is its dot.
        match characters.iter().position(|stem| {
            stem.bounds.holds_centre_of(&speck.bounds) || dots(&speck.bounds, &stem.bounds)
        }) {
            Some(i) => {
                let stem = characters.swap_remove(i);
                characters.push(stem.absorb(speck));
            }
            None => segments.push(Segment {
                splits: Vec::new(),
                whole: speck,
                speck: true,
            }),
        }
    }
    segments.extend(characters.into_iter().map(|whole| Segment {
        splits: split_touching(&whole),
        whole,
        speck: false,
    }));
    segments.sort_by(|a, b| a.whole.bounds.x.total_cmp(&b.whole.bounds.x));
    segments
}

/// Whether a speck is the dot of a narrow character (an i or a j): above its upper part and
/// within reach of its columns.
fn dots(speck: &Bounds, stem: &Bounds) -> bool {
    let narrow = stem.width <= DOTTED_ASPECT * stem.height;
    let centre = speck.x + speck.width / 2.0;
    let reach = DOT_REACH * stem.height;
    let above = speck.y + speck.height <= stem.y + DOT_DROP * stem.height;
    narrow && above && centre >= stem.x - reach && centre <= stem.right() + reach
}

/// Joins each flat group (a 5's flag, a 7's bar drawn long to the right) to a taller character
/// its ink touches: sharing too few columns with it to be grouped by them, it would otherwise
/// read as a character of its own, or be cut into dashes. One pass: each group is looked at
/// once, so a line of many flags costs no more than one of many characters.
fn join_flat_groups(mut groups: Vec<Character>) -> Vec<Character> {
    let mut i = 0;
    while i < groups.len() {
        let flat = &groups[i];
        let is_flat = flat.bounds.width >= FLAT_ASPECT * flat.bounds.height;
        let host = is_flat
            .then(|| {
                groups.iter().enumerate().position(|(j, other)| {
                    j != i
                        && flat.bounds.height <= FLAT_HEIGHT * other.bounds.height
                        && flat.bounds.intersects(&other.bounds)
                        && touches(flat, other)
                })
            })
            .flatten();
        match host {
            Some(host) => {
                let flat = groups.remove(i);
                let host = if host > i { host - 1 } else { host };
                let joined = groups.remove(host).absorb(flat);
                groups.insert(host, joined);
            }
            None => i += 1,
        }
    }
    groups
}

/// Whether a stroke of `flat` starts or ends on `other`'s ink, within a pen's width of it.
fn touches(flat: &Character, other: &Character) -> bool {
    flat.strokes.iter().any(|stroke| {
        let ends = [stroke.points.first(), stroke.points.last()];
        ends.into_iter().flatten().any(|end| {
            other.strokes.iter().any(|target| {
                let reach = stroke.width.max(target.width);
                target
                    .points
                    .iter()
                    .any(|p| (p.x - end.x).hypot(p.y - end.y) <= reach)
            })
        })
    })
}

/// Merges strokes that share columns, however many strokes a character took, then orders the
/// characters left to right.
fn group_by_columns(strokes: Vec<Stroke>) -> Vec<Character> {
    let mut groups: Vec<Character> = Vec::new();
    for stroke in strokes {
        let mut joined = Character::new(vec![stroke]);
        // A merged group is wider, so it may now reach groups the stroke alone did not.
        while let Some(i) = groups
            .iter()
            .position(|g| g.bounds.shares_columns(&joined.bounds))
        {
            joined = joined.absorb(groups.swap_remove(i));
        }
        groups.push(joined);
    }
    groups.sort_by(|a, b| a.bounds.x.total_cmp(&b.bounds.x));
    groups
}

/// Ways to cut a wide group into as many pieces as it looks to hold characters: at the
/// thinnest ink near each expected boundary, and at even spacings, shifted left and right up
/// to [`MAX_SHIFTED_PIECES`] (touching characters often overlap, so the thinnest column can
/// lie inside one). Empty when the group is not that wide.
fn split_touching(whole: &Character) -> Vec<Split> {
    let Bounds {
        x, width, height, ..
    } = whole.bounds;
    // Not finite: coordinates so far apart that their distance overflows.
    if !width.is_finite() || width <= SPLIT_ASPECT * height {
        return Vec::new();
    }
    let Ok(profile) = ColumnProfile::of(&whole.strokes) else {
        return Vec::new();
    };
    let count = ((width / (CHARACTER_ASPECT * height)).round() as usize).clamp(2, MAX_PIECES);
    let part = width / count as f32;
    let reach = CUT_REACH * part;
    let expected = |k: usize| x + k as f32 * part;
    let mut cut_sets: Vec<Vec<f32>> = vec![
        (1..count)
            .map(|k| profile.thinnest_near(expected(k), reach))
            .collect(),
    ];
    let shifts: &[f32] = if count <= MAX_SHIFTED_PIECES {
        &[-1.0, -0.5, 0.0, 0.5, 1.0]
    } else {
        &[0.0]
    };
    for &shift in shifts {
        let cuts: Vec<f32> = (1..count).map(|k| expected(k) + shift * reach).collect();
        // The thinnest column often lies at the edge of its reach, where a shifted cut falls.
        let repeats = |other: &Vec<f32>| {
            (cuts.iter().zip(other)).all(|(a, b)| (a - b).abs() < SAME_CUT * height)
        };
        if !cut_sets.iter().any(repeats) {
            cut_sets.push(cuts);
        }
    }
    cut_sets
        .into_iter()
        .filter_map(|cuts| cut_at(&whole.strokes, &cuts, MIN_PIECE_HEIGHT * height))
        .collect()
}

/// The strokes cut at each of `cuts` (ascending), or `None` when a piece would be empty or
/// less than `min_height` tall.
fn cut_at(strokes: &[Stroke], cuts: &[f32], min_height: f32) -> Option<Split> {
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut rest = strokes.to_vec();
    let mut loops_cut = 0;
    for &cut in cuts {
        let (left, right, crossings) = cut_strokes(&rest, cut);
        loops_cut += usize::from(crossings > 1);
        pieces.push(left);
        rest = right;
    }
    pieces.push(rest);
    if pieces.iter().any(Vec::is_empty) {
        return None;
    }
    let pieces: Vec<Character> = pieces.into_iter().map(Character::new).collect();
    pieces
        .iter()
        .all(|piece| piece.bounds.height >= min_height)
        .then_some(Split { pieces, loops_cut })
}

impl ColumnProfile {
    /// Canvas x of the column with the least ink within `reach` of `centre` (the nearest to
    /// `centre` among equals); `centre` itself when no column lies there.
    fn thinnest_near(&self, centre: f32, reach: f32) -> f32 {
        let column_centre = |i: usize| self.left + (i as f32 + 0.5) * self.column_width;
        self.ink
            .iter()
            .enumerate()
            .filter(|&(i, _)| (column_centre(i) - centre).abs() <= reach)
            .min_by(|&(i, a), &(j, b)| {
                a.total_cmp(b).then(
                    (column_centre(i) - centre)
                        .abs()
                        .total_cmp(&(column_centre(j) - centre).abs()),
                )
            })
            .map_or(centre, |(i, _)| column_centre(i))
    }
}

/// Splits strokes at the vertical line `x = cut`: the parts left of it, the parts right of
/// it, each crossing becoming the end of one piece and the start of the next, and how many
/// crossings there were.
fn cut_strokes(strokes: &[Stroke], cut: f32) -> (Vec<Stroke>, Vec<Stroke>, usize) {
    let (mut left, mut right) = (Vec::new(), Vec::new());
    let mut crossings = 0;
    for stroke in strokes {
        let mut side_of_piece = stroke.points[0].x < cut;
        let mut piece: Vec<Point> = Vec::new();
        for (i, &point) in stroke.points.iter().enumerate() {
            let side = point.x < cut;
            if i > 0 && side != side_of_piece {
                let previous = stroke.points[i - 1];
                let t = (cut - previous.x) / (point.x - previous.x);
                let crossing = Point {
                    x: cut,
                    y: previous.y + t * (point.y - previous.y),
                };
                piece.push(crossing);
                crossings += 1;
                let finished = std::mem::replace(&mut piece, vec![crossing]);
                let pile = if side_of_piece { &mut left } else { &mut right };
                pile.push(Stroke {
                    points: finished,
                    width: stroke.width,
                });
                side_of_piece = side;
            }
            piece.push(point);
        }
        let pile = if side_of_piece { &mut left } else { &mut right };
        pile.push(Stroke {
            points: piece,
            width: stroke.width,
        });
    }
    (left, right, crossings)
}
