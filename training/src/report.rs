//! The evaluation report: a Markdown page for people, a JSON twin for tools, and PNG pictures
//! (training curves, a confusion heat map, the misclassified digits) drawn with plotters.
//!
//! Everything a run learns about its model ends up in one directory, so a reader can open
//! `report.md` and see the numbers and the pictures side by side.

use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Serialize, Serializer};

use crate::metrics::{ClassScores, ConfusionMatrix};

/// Loss and accuracy of one epoch, from burn-train's metric logs. Accuracy in percent (0..100).
#[derive(Debug, Clone, serde::Serialize)]
pub struct EpochMetrics {
    pub epoch: usize,
    pub train_loss: f64,
    pub valid_loss: f64,
    pub train_accuracy: f64,
    pub valid_accuracy: f64,
}

/// A test image the model got wrong. `pixels` is 28x28 row-major, MNIST convention (0 = paper,
/// 255 = ink).
#[derive(Debug, Clone)]
pub struct Misclassified {
    pub pixels: [u8; DIGIT_PIXELS],
    pub truth: usize,
    pub predicted: usize,
    pub confidence: f32,
}

/// Everything the report shows.
pub struct Report<'a> {
    /// What was evaluated, e.g. "digits model on the MNIST test set".
    pub title: &'a str,
    /// Class names, in class order.
    pub labels: &'a [String],
    pub confusion: &'a ConfusionMatrix,
    /// Empty for an evaluate-only run: then there is no curves picture and the page says so.
    pub history: &'a [EpochMetrics],
    /// May be empty; the first 60 are drawn, in the order given.
    pub misclassified: &'a [Misclassified],
    /// Extra summary lines (parameter count, weights size, training time...), in display order.
    pub facts: &'a [(String, String)],
}

/// How many misclassified digits the grid shows: enough to spot patterns, few enough to look at.
const MAX_MISCLASSIFIED: usize = 60;

const MARKDOWN_FILE: &str = "report.md";
const JSON_FILE: &str = "report.json";
const CURVES_FILE: &str = "curves.png";
const CONFUSION_FILE: &str = "confusion.png";
const MISCLASSIFIED_FILE: &str = "misclassified.png";

/// Resolved through fontconfig, so any installed sans font (DejaVu here) will do.
pub(crate) const FONT: &str = "sans-serif";
// Font sizes, in pixels.
const TITLE_SIZE: u32 = 22;
const AXIS_SIZE: u32 = 17;
const TICK_SIZE: u32 = 15;
const TEXT_SIZE: u32 = 15;
/// Fits a four-digit count (a whole MNIST class) in a cell of `CELL_WITH_COUNT` pixels.
const COUNT_SIZE: u32 = 16;
const TRAIN_COLOUR: RGBColor = RGBColor(31, 119, 180);
const VALID_COLOUR: RGBColor = RGBColor(255, 127, 14);

const CURVES_SIZE: (u32, u32) = (1000, 400);
/// Beyond this many epochs the x axis labels only some of them, so labels do not collide.
const MAX_EPOCH_TICKS: usize = 12;

/// Above this many classes the cells are too small to hold their counts; colour alone remains.
const MAX_CLASSES_WITH_COUNTS: usize = 20;
const HEAT_MAP_MIN_SIDE: u32 = 320;
const CELL_WITH_COUNT: u32 = 56;
const CELL_WITHOUT_COUNT: u32 = 22;
/// Room around the cells for the tick labels, the axis titles and the caption.
const HEAT_MAP_MARGINS: (u32, u32) = (110, 120);
/// Colour of an empty cell and of the busiest one (the ends of matplotlib's "Blues").
const HEAT_EMPTY: RGBColor = RGBColor(247, 251, 255);
const HEAT_FULL: RGBColor = RGBColor(8, 48, 107);
/// Cell outlines, so rows and columns of near-empty cells can still be followed by eye.
const HEAT_GRID: RGBColor = RGBColor(215, 220, 230);

const DIGIT_SIDE: usize = 28;
const DIGIT_PIXELS: usize = DIGIT_SIDE * DIGIT_SIDE;
/// MNIST digits are tiny; three screen pixels per image pixel makes them readable.
const DIGIT_SCALE: i32 = 3;
const DIGIT_ON_SCREEN: i32 = DIGIT_SIDE as i32 * DIGIT_SCALE;
const GRID_COLUMNS: usize = 10;
const TILE_SIZE: (u32, u32) = (100, 112);
const GRID_TITLE_HEIGHT: u32 = 40;
const PAGE_COLOUR: RGBColor = RGBColor(236, 236, 236);

pub(crate) type Canvas<'a> = DrawingArea<BitMapBackend<'a>, Shift>;
pub(crate) type DrawResult =
    Result<(), DrawingAreaErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>>;

/// Writes `report.md`, `report.json`, `curves.png` (only if there is a history),
/// `confusion.png` and `misclassified.png` (only if there are any) into `dir`, creating it if
/// missing. Returns the paths written.
///
/// # Errors
///
/// If the labels do not match the classes, or a file cannot be written or drawn (the error
/// names the file).
pub fn write_report(dir: &Path, report: &Report) -> anyhow::Result<Vec<PathBuf>> {
    check_classes(report)?;
    fs::create_dir_all(dir)
        .with_context(|| format!("cannot create report directory {}", dir.display()))?;
    let mut written = vec![
        write_text(&dir.join(MARKDOWN_FILE), &markdown(report))?,
        write_text(&dir.join(JSON_FILE), &json(report)?)?,
    ];
    if !report.history.is_empty() {
        written.push(draw_png(&dir.join(CURVES_FILE), CURVES_SIZE, |canvas| {
            draw_curves(canvas, report.history)
        })?);
    }
    written.push(draw_png(
        &dir.join(CONFUSION_FILE),
        heat_map_size(report.confusion.num_classes()),
        |canvas| draw_confusion(canvas, report.labels, report.confusion),
    )?);
    let shown = &report.misclassified[..report.misclassified.len().min(MAX_MISCLASSIFIED)];
    if !shown.is_empty() {
        written.push(draw_png(
            &dir.join(MISCLASSIFIED_FILE),
            grid_size(shown.len()),
            |canvas| draw_misclassified(canvas, report.labels, shown),
        )?);
    }
    Ok(written)
}

/// Every class index in the report must name a label; checking once here keeps the writers
/// free of out-of-bounds panics.
fn check_classes(report: &Report) -> anyhow::Result<()> {
    let classes = report.labels.len();
    ensure!(
        report.confusion.num_classes() == classes,
        "{} labels for a {}-class confusion matrix",
        classes,
        report.confusion.num_classes()
    );
    let bad = report
        .misclassified
        .iter()
        .find(|m| m.truth >= classes || m.predicted >= classes);
    if let Some(m) = bad {
        bail!(
            "misclassified image {}→{} names a class beyond the {classes} labels",
            m.truth,
            m.predicted
        );
    }
    Ok(())
}

fn write_text(path: &Path, text: &str) -> anyhow::Result<PathBuf> {
    fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path.to_path_buf())
}

/// Draws a picture onto a white PNG of `size` pixels and saves it. Plotters only writes the
/// file on `present`, so its errors are reported here, not swallowed on drop.
pub(crate) fn draw_png(
    path: &Path,
    size: (u32, u32),
    draw: impl FnOnce(&Canvas) -> DrawResult,
) -> anyhow::Result<PathBuf> {
    let canvas = BitMapBackend::new(path, size).into_drawing_area();
    canvas
        .fill(&WHITE)
        .and_then(|()| draw(&canvas))
        .and_then(|()| canvas.present())
        .with_context(|| format!("cannot draw {}", path.display()))?;
    Ok(path.to_path_buf())
}

// ----- report.md -----

fn markdown(report: &Report) -> String {
    [
        summary_markdown(report),
        scores_markdown(report.labels, report.confusion),
        confusion_markdown(report.labels, report.confusion),
        pictures_markdown(report),
    ]
    .join("\n")
}

fn summary_markdown(report: &Report) -> String {
    let confusion = report.confusion;
    format!(
        "# Evaluation report: {}\n\n**Accuracy: {:.2}%** ({}/{})\n\n{}",
        report.title,
        100.0 * confusion.accuracy(),
        confusion.correct(),
        confusion.total(),
        facts_markdown(report.facts)
    )
}

/// Nothing at all when there are no facts: a table of headers only would look broken.
fn facts_markdown(facts: &[(String, String)]) -> String {
    if facts.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = facts
        .iter()
        .map(|(key, value)| vec![key.clone(), value.clone()])
        .collect();
    markdown_table(&["fact", "value"], &rows)
}

fn scores_markdown(labels: &[String], confusion: &ConfusionMatrix) -> String {
    let mut rows: Vec<Vec<String>> = labels
        .iter()
        .zip(confusion.per_class())
        .map(|(label, scores)| scores_row(label, &scores))
        .collect();
    rows.push(scores_row("macro avg", &confusion.macro_average()));
    rows.push(scores_row("weighted avg", &confusion.weighted_average()));
    let header = ["label", "precision", "recall", "F1", "support"];
    format!("## Per-class scores\n\n{}", markdown_table(&header, &rows))
}

fn scores_row(label: &str, scores: &ClassScores) -> Vec<String> {
    vec![
        label.to_string(),
        format!("{:.4}", scores.precision),
        format!("{:.4}", scores.recall),
        format!("{:.4}", scores.f1),
        scores.support.to_string(),
    ]
}

fn confusion_markdown(labels: &[String], confusion: &ConfusionMatrix) -> String {
    let header: Vec<&str> = std::iter::once("true \\ predicted")
        .chain(labels.iter().map(String::as_str))
        .collect();
    let rows: Vec<Vec<String>> = labels
        .iter()
        .zip(confusion.counts())
        .map(|(label, row)| {
            std::iter::once(label.clone())
                .chain(row.iter().map(u64::to_string))
                .collect()
        })
        .collect();
    format!(
        "## Confusion matrix\n\nRows are the true label, columns the predicted one.\n\n{}",
        markdown_table(&header, &rows)
    )
}

fn pictures_markdown(report: &Report) -> String {
    let curves = if report.history.is_empty() {
        "No training history: this run only evaluated an existing model.".to_string()
    } else {
        format!("![Loss and accuracy per epoch, train vs validation]({CURVES_FILE})")
    };
    let shown = report.misclassified.len().min(MAX_MISCLASSIFIED);
    let misclassified = if shown == 0 {
        "No misclassified images to show.".to_string()
    } else {
        format!(
            "![Misclassified test images]({MISCLASSIFIED_FILE})\n\n\
             {shown} of {} misclassified test images, captioned true→predicted (confidence).",
            report.misclassified.len()
        )
    };
    format!(
        "## Training curves\n\n{curves}\n\n\
         ## Confusion heat map\n\n\
         ![Confusion matrix, colour on a log scale so rare errors show]({CONFUSION_FILE})\n\n\
         ## Misclassified images\n\n{misclassified}\n"
    )
}

/// A Markdown table whose first column is left-aligned and the others right-aligned (they
/// hold numbers, except in the facts table where it does no harm).
fn markdown_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let alignments = (0..header.len()).map(|column| if column == 0 { ":---" } else { "---:" });
    let body = rows
        .iter()
        .map(|row| table_row(row.iter().map(String::as_str)));
    [table_row(header.iter().copied()), table_row(alignments)]
        .into_iter()
        .chain(body)
        .collect()
}

fn table_row<'a>(cells: impl Iterator<Item = &'a str>) -> String {
    let cells: Vec<String> = cells.map(escape_cell).collect();
    format!("| {} |\n", cells.join(" | "))
}

/// A `|` inside a cell would end it early.
fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

// ----- report.json -----

#[derive(Serialize)]
struct JsonReport<'a> {
    title: &'a str,
    accuracy: f64,
    correct: u64,
    total: u64,
    #[serde(serialize_with = "pairs_as_object")]
    facts: &'a [(String, String)],
    per_class: Vec<LabelledScores<'a>>,
    macro_average: ClassScores,
    weighted_average: ClassScores,
    confusion_matrix: &'a [Vec<u64>],
    labels: &'a [String],
    history: &'a [EpochMetrics],
}

#[derive(Serialize)]
struct LabelledScores<'a> {
    label: &'a str,
    #[serde(flatten)]
    scores: ClassScores,
}

/// Facts are ordered pairs for the Markdown table but a plain object is what JSON readers
/// expect.
fn pairs_as_object<S: Serializer>(
    pairs: &&[(String, String)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(pairs.iter().map(|(key, value)| (key, value)))
}

fn json(report: &Report) -> anyhow::Result<String> {
    let confusion = report.confusion;
    let per_class = report
        .labels
        .iter()
        .zip(confusion.per_class())
        .map(|(label, scores)| LabelledScores { label, scores })
        .collect();
    let document = JsonReport {
        title: report.title,
        accuracy: confusion.accuracy(),
        correct: confusion.correct(),
        total: confusion.total(),
        facts: report.facts,
        per_class,
        macro_average: confusion.macro_average(),
        weighted_average: confusion.weighted_average(),
        confusion_matrix: confusion.counts(),
        labels: report.labels,
        history: report.history,
    };
    serde_json::to_string_pretty(&document).context("cannot serialise the report as JSON")
}

// ----- curves.png -----

/// What distinguishes the loss chart from the accuracy chart.
struct CurveChart {
    caption: &'static str,
    y_desc: &'static str,
    y_range: Range<f64>,
    train: fn(&EpochMetrics) -> f64,
    valid: fn(&EpochMetrics) -> f64,
    legend: SeriesLabelPosition,
}

fn draw_curves(canvas: &Canvas, history: &[EpochMetrics]) -> DrawResult {
    let (left, right) = canvas.split_horizontally(canvas.dim_in_pixel().0 / 2);
    let loss = CurveChart {
        caption: "loss",
        y_desc: "loss",
        y_range: loss_range(history),
        train: |e| e.train_loss,
        valid: |e| e.valid_loss,
        legend: SeriesLabelPosition::UpperRight,
    };
    let accuracy = CurveChart {
        caption: "accuracy",
        y_desc: "accuracy (%)",
        y_range: accuracy_range(history),
        train: |e| e.train_accuracy,
        valid: |e| e.valid_accuracy,
        legend: SeriesLabelPosition::LowerRight,
    };
    draw_curve_chart(&left, history, &loss)?;
    draw_curve_chart(&right, history, &accuracy)
}

fn draw_curve_chart(canvas: &Canvas, history: &[EpochMetrics], spec: &CurveChart) -> DrawResult {
    let mut chart = ChartBuilder::on(canvas)
        .caption(spec.caption, (FONT, TITLE_SIZE))
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(60)
        .build_cartesian_2d(epoch_range(history), spec.y_range.clone())?;
    // Asking for no more ticks than there are epochs keeps plotters' tick step a whole number
    // of epochs, so every label is an epoch.
    chart
        .configure_mesh()
        .x_labels(history.len().min(MAX_EPOCH_TICKS))
        .light_line_style(TRANSPARENT)
        .bold_line_style(BLACK.mix(0.12))
        .x_desc("epoch")
        .y_desc(spec.y_desc)
        .x_label_formatter(&|epoch| format!("{epoch:.0}"))
        .label_style((FONT, TICK_SIZE))
        .axis_desc_style((FONT, AXIS_SIZE))
        .draw()?;
    for (name, colour, value) in [
        ("train", TRAIN_COLOUR, spec.train),
        ("validation", VALID_COLOUR, spec.valid),
    ] {
        let points = history.iter().map(|e| (e.epoch as f64, value(e)));
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)).point_size(3))?
            .label(name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(spec.legend.clone())
        .label_font((FONT, TEXT_SIZE))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.4))
        .draw()
}

/// Half an epoch of padding on each side keeps the first and last points off the frame.
fn epoch_range(history: &[EpochMetrics]) -> Range<f64> {
    let first = history.iter().map(|e| e.epoch).min().unwrap_or(1) as f64;
    let last = history.iter().map(|e| e.epoch).max().unwrap_or(1) as f64;
    first - 0.5..last + 0.5
}

/// From zero, so the eye judges how much of the loss is left, to a little above the peak.
fn loss_range(history: &[EpochMetrics]) -> Range<f64> {
    let peak = history
        .iter()
        .flat_map(|e| [e.train_loss, e.valid_loss])
        .fold(0.0, f64::max);
    0.0..if peak > 0.0 { peak * 1.1 } else { 1.0 }
}

/// Up to 100%, down to a little below the worst value: good models live near the top, and a
/// 0..100 axis would flatten their curves into one line.
fn accuracy_range(history: &[EpochMetrics]) -> Range<f64> {
    let worst = history
        .iter()
        .flat_map(|e| [e.train_accuracy, e.valid_accuracy])
        .fold(100.0, f64::min);
    let bottom = (worst - 0.25 * (100.0 - worst)).floor().clamp(0.0, 99.0);
    bottom..100.0
}

// ----- confusion.png -----

/// Square cells big enough for their counts when those are drawn, plus room for the axes.
fn heat_map_size(classes: usize) -> (u32, u32) {
    let cell = if classes <= MAX_CLASSES_WITH_COUNTS {
        CELL_WITH_COUNT
    } else {
        CELL_WITHOUT_COUNT
    };
    let side = (cell * classes as u32).max(HEAT_MAP_MIN_SIDE);
    (side + HEAT_MAP_MARGINS.0, side + HEAT_MAP_MARGINS.1)
}

fn draw_confusion(canvas: &Canvas, labels: &[String], confusion: &ConfusionMatrix) -> DrawResult {
    let classes = confusion.num_classes();
    let side = cell_edge(classes);
    let centres: Vec<i32> = (0..classes).map(|class| cell_edge(class) + 1).collect();
    let label_at = |position: &i32| {
        let class = (position / 2) as usize;
        labels.get(class).cloned().unwrap_or_default()
    };
    // The y axis runs downwards so the first class is the top row, as in the Markdown table.
    let mut chart = ChartBuilder::on(canvas)
        .caption("confusion matrix (colour: log count)", (FONT, TITLE_SIZE))
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(60)
        .build_cartesian_2d(
            (0..side).with_key_points(centres.clone()),
            (side..0).with_key_points(centres),
        )?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("predicted")
        .y_desc("true")
        .x_label_formatter(&label_at)
        .y_label_formatter(&label_at)
        .label_style((FONT, TICK_SIZE))
        .axis_desc_style((FONT, AXIS_SIZE))
        .draw()?;
    let peak = confusion
        .counts()
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0);
    chart.draw_series(cells(confusion).map(|(truth, predicted, count)| {
        cell_box(truth, predicted, heat_colour(heat(count, peak)).filled())
    }))?;
    chart.draw_series(
        cells(confusion).map(|(truth, predicted, _)| cell_box(truth, predicted, HEAT_GRID.into())),
    )?;
    if classes <= MAX_CLASSES_WITH_COUNTS {
        chart.draw_series(count_labels(confusion, peak))?;
    }
    Ok(())
}

fn cell_box(truth: usize, predicted: usize, style: ShapeStyle) -> Rectangle<(i32, i32)> {
    let top_left = (cell_edge(predicted), cell_edge(truth));
    let bottom_right = (cell_edge(predicted + 1), cell_edge(truth + 1));
    Rectangle::new([top_left, bottom_right], style)
}

/// Each cell's count at its centre, white on dark cells and black on light ones.
fn count_labels(
    confusion: &ConfusionMatrix,
    peak: u64,
) -> impl Iterator<Item = Text<'static, (i32, i32), String>> {
    cells(confusion).map(move |(truth, predicted, count)| {
        let ink = if heat(count, peak) > 0.5 {
            &WHITE
        } else {
            &BLACK
        };
        let style = TextStyle::from((FONT, COUNT_SIZE).into_font())
            .color(ink)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let centre = (cell_edge(predicted) + 1, cell_edge(truth) + 1);
        Text::new(count.to_string(), centre, style)
    })
}

/// The heat map's coordinates count half cells, so that cell centres, where the tick labels
/// go, are whole numbers: plotters formats custom ticks on integer axes only.
fn cell_edge(class: usize) -> i32 {
    2 * class as i32
}

/// Every cell of the matrix as (true class, predicted class, count).
fn cells(confusion: &ConfusionMatrix) -> impl Iterator<Item = (usize, usize, u64)> {
    confusion
        .counts()
        .iter()
        .enumerate()
        .flat_map(|(truth, row)| {
            row.iter()
                .enumerate()
                .map(move |(predicted, &count)| (truth, predicted, count))
        })
}

/// Position of `count` between 0 and `peak` on a log scale: the diagonal holds thousands and
/// the errors a handful, so a linear scale would paint every error the colour of zero.
fn heat(count: u64, peak: u64) -> f64 {
    if peak == 0 {
        0.0
    } else {
        (count as f64).ln_1p() / (peak as f64).ln_1p()
    }
}

fn heat_colour(heat: f64) -> RGBColor {
    let blend = |empty: u8, full: u8| {
        (f64::from(empty) + heat * (f64::from(full) - f64::from(empty))) as u8
    };
    RGBColor(
        blend(HEAT_EMPTY.0, HEAT_FULL.0),
        blend(HEAT_EMPTY.1, HEAT_FULL.1),
        blend(HEAT_EMPTY.2, HEAT_FULL.2),
    )
}

// ----- confused-pairs.png -----

/// Height of one pair's row in the confused-pairs picture, and the bar area's width.
const PAIR_ROW: u32 = 26;
const PAIR_BAR_WIDTH: u32 = 560;
const PAIR_MARGINS: (u32, u32) = (150, 70);

/// Draws `pairs` ("written → read as", count), most frequent first, as horizontal bars: the
/// picture of a confusion matrix that stays readable with many classes, where a heat map's
/// cells become too small to tell apart.
pub fn draw_confused_pairs(
    path: &Path,
    title: &str,
    pairs: &[(String, u64)],
) -> anyhow::Result<PathBuf> {
    let rows = pairs.len().max(1) as u32;
    let size = (
        PAIR_MARGINS.0 + PAIR_BAR_WIDTH + 80,
        PAIR_MARGINS.1 + rows * PAIR_ROW + 20,
    );
    let peak = pairs
        .iter()
        .map(|(_, count)| *count)
        .max()
        .unwrap_or(1)
        .max(1);
    draw_png(path, size, |canvas| {
        let centred = TextStyle::from((FONT, TITLE_SIZE).into_font())
            .pos(Pos::new(HPos::Center, VPos::Center));
        canvas.draw(&Text::new(
            title.to_string(),
            ((size.0 / 2) as i32, 28),
            centred,
        ))?;
        let label_style = TextStyle::from((FONT, TEXT_SIZE + 3).into_font())
            .pos(Pos::new(HPos::Right, VPos::Center));
        let count_style =
            TextStyle::from((FONT, TEXT_SIZE).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        for (row, (pair, count)) in pairs.iter().enumerate() {
            let top = (PAIR_MARGINS.1 + row as u32 * PAIR_ROW) as i32;
            let middle = top + PAIR_ROW as i32 / 2;
            let left = PAIR_MARGINS.0 as i32;
            let length = (PAIR_BAR_WIDTH as f64 * *count as f64 / peak as f64).round() as i32;
            canvas.draw(&Text::new(
                pair.clone(),
                (left - 12, middle),
                label_style.clone(),
            ))?;
            canvas.draw(&Rectangle::new(
                [
                    (left, top + 3),
                    (left + length.max(1), top + PAIR_ROW as i32 - 3),
                ],
                TRAIN_COLOUR.filled(),
            ))?;
            canvas.draw(&Text::new(
                count.to_string(),
                (left + length + 8, middle),
                count_style.clone(),
            ))?;
        }
        Ok(())
    })
}

// ----- misclassified.png -----

fn grid_size(images: usize) -> (u32, u32) {
    let rows = images.div_ceil(GRID_COLUMNS) as u32;
    (
        TILE_SIZE.0 * GRID_COLUMNS as u32,
        GRID_TITLE_HEIGHT + TILE_SIZE.1 * rows,
    )
}

fn draw_misclassified(canvas: &Canvas, labels: &[String], shown: &[Misclassified]) -> DrawResult {
    canvas.fill(&PAGE_COLOUR)?;
    let (title, grid) = canvas.split_vertically(GRID_TITLE_HEIGHT);
    title.draw(&Text::new(
        "misclassified test images: true→predicted (confidence)",
        (
            title.dim_in_pixel().0 as i32 / 2,
            GRID_TITLE_HEIGHT as i32 / 2,
        ),
        TextStyle::from((FONT, TITLE_SIZE).into_font()).pos(Pos::new(HPos::Center, VPos::Center)),
    ))?;
    let rows = shown.len().div_ceil(GRID_COLUMNS);
    let tiles = grid.split_evenly((rows, GRID_COLUMNS));
    for (tile, image) in tiles.iter().zip(shown) {
        draw_tile(tile, labels, image)?;
    }
    Ok(())
}

/// One digit, centred at the top of its tile, with its caption underneath.
fn draw_tile(tile: &Canvas, labels: &[String], image: &Misclassified) -> DrawResult {
    let width = tile.dim_in_pixel().0 as i32;
    let origin = ((width - DIGIT_ON_SCREEN) / 2, 6);
    draw_digit(tile, &image.pixels, origin)?;
    let caption = format!(
        "{}→{} ({:.2})",
        labels[image.truth], labels[image.predicted], image.confidence
    );
    tile.draw(&Text::new(
        caption,
        (width / 2, origin.1 + DIGIT_ON_SCREEN + 5),
        TextStyle::from((FONT, TEXT_SIZE).into_font()).pos(Pos::new(HPos::Center, VPos::Top)),
    ))
}

/// Upscales the digit with square blocks, inverting MNIST's white-on-black so it reads as dark
/// ink on paper, and frames it so a blank margin still shows where the image ends.
fn draw_digit(tile: &Canvas, pixels: &[u8; DIGIT_PIXELS], origin: (i32, i32)) -> DrawResult {
    for (index, &ink) in pixels.iter().enumerate() {
        let row = (index / DIGIT_SIDE) as i32;
        let column = (index % DIGIT_SIDE) as i32;
        let corner = (
            origin.0 + column * DIGIT_SCALE,
            origin.1 + row * DIGIT_SCALE,
        );
        let paper = 255 - ink;
        tile.draw(&Rectangle::new(
            [corner, (corner.0 + DIGIT_SCALE, corner.1 + DIGIT_SCALE)],
            RGBColor(paper, paper, paper).filled(),
        ))?;
    }
    tile.draw(&Rectangle::new(
        [
            (origin.0 - 1, origin.1 - 1),
            (origin.0 + DIGIT_ON_SCREEN, origin.1 + DIGIT_ON_SCREEN),
        ],
        BLACK.mix(0.3),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The three-class example of the metrics tests: 5 of 8 right.
    fn confusion() -> ConfusionMatrix {
        crate::metrics::example()
    }

    fn labels() -> Vec<String> {
        ["0", "1", "2"].map(String::from).to_vec()
    }

    fn history() -> Vec<EpochMetrics> {
        vec![
            EpochMetrics {
                epoch: 1,
                train_loss: 0.9,
                valid_loss: 0.7,
                train_accuracy: 70.0,
                valid_accuracy: 75.0,
            },
            EpochMetrics {
                epoch: 2,
                train_loss: 0.5,
                valid_loss: 0.6,
                train_accuracy: 85.0,
                valid_accuracy: 80.0,
            },
        ]
    }

    /// A vertical bar (a "1" read as "2") and a horizontal one (a "2" read as "0").
    fn misclassified() -> Vec<Misclassified> {
        let bar = |vertical: bool| {
            let mut pixels = [0u8; DIGIT_PIXELS];
            for i in 4..24 {
                for j in 12..16 {
                    let (row, column) = if vertical { (i, j) } else { (j, i) };
                    pixels[row * DIGIT_SIDE + column] = 255;
                }
            }
            pixels
        };
        vec![
            Misclassified {
                pixels: bar(true),
                truth: 1,
                predicted: 2,
                confidence: 0.93,
            },
            Misclassified {
                pixels: bar(false),
                truth: 2,
                predicted: 0,
                confidence: 0.51,
            },
        ]
    }

    fn facts() -> Vec<(String, String)> {
        vec![
            ("parameters".into(), "1234".into()),
            ("weights file".into(), "model.mpk".into()),
        ]
    }

    /// A directory of its own per test and process, so parallel tests and reruns never share
    /// files.
    fn scratch_dir(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("report-{test}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn png_size(path: &Path) -> (u32, u32) {
        let picture = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        (picture.width(), picture.height())
    }

    #[test]
    fn writes_every_file_with_consistent_contents() {
        let dir = scratch_dir("full");
        let (labels, confusion, history) = (labels(), confusion(), history());
        let (misclassified, facts) = (misclassified(), facts());
        let report = Report {
            title: "test model on a hand-made set",
            labels: &labels,
            confusion: &confusion,
            history: &history,
            misclassified: &misclassified,
            facts: &facts,
        };

        let written = write_report(&dir, &report).unwrap();

        for file in [
            MARKDOWN_FILE,
            JSON_FILE,
            CURVES_FILE,
            CONFUSION_FILE,
            MISCLASSIFIED_FILE,
        ] {
            assert!(written.contains(&dir.join(file)), "{file} not reported");
            assert!(dir.join(file).is_file(), "{file} not written");
        }
        assert_eq!(png_size(&dir.join(CURVES_FILE)), (1000, 400));
        let (width, height) = png_size(&dir.join(CONFUSION_FILE));
        assert!((320..800).contains(&width) && (320..800).contains(&height));
        let (width, height) = png_size(&dir.join(MISCLASSIFIED_FILE));
        assert_eq!(width, 1000);
        assert!(
            (84..300).contains(&height),
            "one row of tiles, got {height}"
        );

        let json: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join(JSON_FILE)).unwrap()).unwrap();
        assert_eq!(json["accuracy"].as_f64(), Some(confusion.accuracy()));
        assert_eq!(json["facts"]["weights file"], "model.mpk");
        assert_eq!(json["per_class"][2]["label"], "2");
        assert_eq!(json["confusion_matrix"][2][0], 1);
        assert_eq!(json["history"].as_array().map(Vec::len), Some(2));

        let markdown = fs::read_to_string(dir.join(MARKDOWN_FILE)).unwrap();
        assert!(markdown.contains("**Accuracy: 62.50%** (5/8)"));
        assert!(markdown.contains("| label | precision | recall | F1 | support |"));
        assert!(markdown.contains("| weighted avg | 0.6250 | 0.6250 |"));
        assert!(markdown.contains(&format!("]({CURVES_FILE})")));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn evaluate_only_run_has_no_curves() {
        let dir = scratch_dir("no-history");
        let (labels, confusion) = (labels(), confusion());
        let report = Report {
            title: "evaluate only",
            labels: &labels,
            confusion: &confusion,
            history: &[],
            misclassified: &[],
            facts: &[],
        };

        let written = write_report(&dir, &report).unwrap();

        assert_eq!(written.len(), 3, "md, json and confusion only: {written:?}");
        assert!(!dir.join(CURVES_FILE).exists());
        assert!(!dir.join(MISCLASSIFIED_FILE).exists());
        let markdown = fs::read_to_string(dir.join(MARKDOWN_FILE)).unwrap();
        assert!(markdown.contains("No training history"));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn labels_must_match_the_classes() {
        let (labels, confusion) = (labels(), ConfusionMatrix::new(4));
        let report = Report {
            title: "mismatch",
            labels: &labels,
            confusion: &confusion,
            history: &[],
            misclassified: &[],
            facts: &[],
        };
        assert!(write_report(&scratch_dir("mismatch"), &report).is_err());
    }

    #[test]
    fn log_heat_shows_single_errors() {
        assert_eq!(heat(0, 1000), 0.0);
        assert_eq!(heat(1000, 1000), 1.0);
        assert!(heat(1, 1000) > 0.09, "one error must be visibly tinted");
        assert_eq!(heat(0, 0), 0.0);
    }
}
