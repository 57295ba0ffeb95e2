//! Print-ready letters as PDF: a title, headings, paragraphs and label–value fields laid out
//! on A4 pages with the DejaVu Sans fonts embedded (`assets/fonts`, Bitstream Vera licence),
//! written by `krilla` (fonts subset, text extractable: every glyph maps back to its text).
//! A letter is data ([`Letter`]); an area builds it in the reader's language and answers it
//! with [`response`]. Lines are broken between words by the fonts' own advance widths.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};
use krilla::Document;

use crate::error::WebError;

static REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

/// A4 in points.
const PAGE: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 64.0;
const BODY: f32 = 11.0;
const HEADING: f32 = 13.0;
const TITLE: f32 = 17.0;
const LEADING: f32 = 1.45;
/// The label column of a field.
const LABEL_WIDTH: f32 = 150.0;

/// One block of a letter, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(String),
    /// Text; a line break in it starts a new line.
    Paragraph(String),
    /// A label and its value side by side (the value wraps in its column).
    Field(String, String),
}

/// A letter: its title (also the document's title), its language (`nb`, `en`) and blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Letter {
    pub title: String,
    pub lang: &'static str,
    pub blocks: Vec<Block>,
}

/// A font's data for drawing and its widths for breaking lines.
struct Face {
    font: Font,
    face: ttf_parser::Face<'static>,
}

impl Face {
    fn load(data: &'static [u8]) -> Option<Face> {
        Some(Face {
            font: Font::new(data.into(), 0)?,
            face: ttf_parser::Face::parse(data, 0).ok()?,
        })
    }

    /// The width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                self.face
                    .glyph_index(c)
                    .and_then(|g| self.face.glyph_hor_advance(g))
                    .map_or(u32::from(self.face.units_per_em() / 2), u32::from)
            })
            .sum();
        units as f32 * size / f32::from(self.face.units_per_em())
    }

    /// `text` broken into lines no wider than `width` (a word wider than the line stands
    /// alone on its own).
    fn lines(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut out = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if !line.is_empty() && self.width(&candidate, size) > width {
                    out.push(std::mem::replace(&mut line, word.to_owned()));
                } else {
                    line = candidate;
                }
            }
            out.push(line);
        }
        out
    }
}

static FACES: LazyLock<Option<(Face, Face)>> =
    LazyLock::new(|| Some((Face::load(REGULAR)?, Face::load(BOLD)?)));

/// A line placed on a page: its position, bold or not, size and text.
#[derive(Debug, Clone, PartialEq)]
struct Placed {
    page: usize,
    x: f32,
    y: f32,
    bold: bool,
    size: f32,
    text: String,
}

/// Where the next line goes, and the lines placed so far.
struct Cursor {
    page: usize,
    y: f32,
    placed: Vec<Placed>,
}

impl Cursor {
    /// Places `lines` at `x` one under the other, starting a new page when the next line
    /// would cross the bottom margin (and before a block whose first two lines would not
    /// fit); then leaves `gap_after`. The y of each line placed.
    fn put(
        &mut self,
        x: f32,
        bold: bool,
        size: f32,
        lines: Vec<String>,
        gap_after: f32,
    ) -> Vec<f32> {
        let bottom = PAGE.1 - MARGIN;
        let step = size * LEADING;
        if self.y + step * (lines.len().min(2) as f32) > bottom {
            self.page += 1;
            self.y = MARGIN;
        }
        let mut ys = Vec::new();
        for text in lines {
            if self.y + step > bottom {
                self.page += 1;
                self.y = MARGIN;
            }
            self.y += step;
            ys.push(self.y);
            self.placed.push(Placed {
                page: self.page,
                x,
                y: self.y,
                bold,
                size,
                text,
            });
        }
        self.y += gap_after;
        ys
    }
}

/// Lays the letter out: every line with its page and position.
fn layout(letter: &Letter, regular: &Face, bold: &Face) -> Vec<Placed> {
    let width = PAGE.0 - 2.0 * MARGIN;
    let mut c = Cursor {
        page: 0,
        y: MARGIN,
        placed: Vec::new(),
    };
    c.put(
        MARGIN,
        true,
        TITLE,
        bold.lines(&letter.title, TITLE, width),
        BODY,
    );
    for block in &letter.blocks {
        match block {
            Block::Heading(t) => {
                c.put(
                    MARGIN,
                    true,
                    HEADING,
                    bold.lines(t, HEADING, width),
                    BODY * 0.3,
                );
            }
            Block::Paragraph(t) => {
                c.put(
                    MARGIN,
                    false,
                    BODY,
                    regular.lines(t, BODY, width),
                    BODY * 0.7,
                );
            }
            Block::Field(label, value) => {
                let labels = bold.lines(label, BODY, LABEL_WIDTH - 8.0);
                let values = regular.lines(value, BODY, width - LABEL_WIDTH);
                // Row by row, so that each value line sits on its label line's baseline.
                for i in 0..labels.len().max(values.len()) {
                    let label = labels.get(i).cloned().unwrap_or_default();
                    c.put(MARGIN, true, BODY, vec![label], 0.0);
                    if let Some(v) = values.get(i) {
                        let (page, y) = (c.page, c.y);
                        c.placed.push(Placed {
                            page,
                            x: MARGIN + LABEL_WIDTH,
                            y,
                            bold: false,
                            size: BODY,
                            text: v.clone(),
                        });
                    }
                }
                c.y += BODY * 0.3;
            }
        }
    }
    c.placed.retain(|p| !p.text.is_empty());
    c.placed
}

/// The letter as a PDF file.
pub fn render(letter: &Letter) -> Result<Vec<u8>, WebError> {
    let (regular, bold) = FACES
        .as_ref()
        .ok_or_else(|| WebError::internal("the letter fonts do not load"))?;
    let placed = layout(letter, regular, bold);
    let pages = placed.iter().map(|p| p.page + 1).max().unwrap_or(1);
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(letter.title.clone())
            .language(letter.lang.to_owned())
            .creator("Varde".to_owned()),
    );
    let settings =
        PageSettings::from_wh(PAGE.0, PAGE.1).ok_or_else(|| WebError::internal("the page size"))?;
    for n in 0..pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for p in placed.iter().filter(|p| p.page == n) {
            let face = if p.bold { bold } else { regular };
            surface.draw_text(
                Point::from_xy(p.x, p.y),
                face.font.clone(),
                p.size,
                &p.text,
                false,
                TextDirection::Auto,
            );
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| {
        tracing::error!(error = ?e, "a letter could not be written");
        WebError::internal("the letter could not be written")
    })
}

/// The letter as a response: `application/pdf`, shown inline, named `file_name`, never cached
/// (a letter names a person).
pub fn response(letter: &Letter, file_name: &str) -> Result<Response, WebError> {
    let bytes = render(letter)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// The text of a PDF by `pdftotext` (poppler-utils), for tests: `None` when it is not
/// installed, unless `VARDE_REQUIRE_PDFTOTEXT=1` (CI), which makes that a failure.
#[doc(hidden)]
pub fn pdftotext(pdf: &[u8]) -> Option<String> {
    let have = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    if !have {
        assert!(
            std::env::var("VARDE_REQUIRE_PDFTOTEXT").as_deref() != Ok("1"),
            "pdftotext is required (VARDE_REQUIRE_PDFTOTEXT=1) but not installed"
        );
        return None;
    }
    let dir = std::env::temp_dir().join(format!("varde-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let file = dir.join(format!("{}.pdf", rand::random::<u64>()));
    std::fs::write(&file, pdf).ok()?;
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&file)
        .arg("-")
        .output()
        .ok()?;
    let _ = std::fs::remove_file(&file);
    assert!(out.status.success(), "pdftotext failed on the letter");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn letter(blocks: Vec<Block>) -> Letter {
        Letter {
            title: "Innkalling til samtale".into(),
            lang: "nb",
            blocks,
        }
    }

    #[test]
    fn a_long_paragraph_is_broken_into_lines_that_fit_the_page() {
        let (regular, bold) = FACES.as_ref().unwrap();
        let text = "ord ".repeat(200);
        let placed = layout(&letter(vec![Block::Paragraph(text)]), regular, bold);
        let width = PAGE.0 - 2.0 * MARGIN;
        assert!(placed.len() > 5);
        for p in &placed {
            let face = if p.bold { bold } else { regular };
            assert!(face.width(&p.text, p.size) <= width + 0.01, "{}", p.text);
        }
        let words: usize = placed
            .iter()
            .skip(1)
            .map(|p| p.text.split(' ').count())
            .sum();
        assert_eq!(words, 200, "no word is lost");
    }

    #[test]
    fn a_long_letter_flows_onto_a_second_page_within_the_margins() {
        let (regular, bold) = FACES.as_ref().unwrap();
        let blocks = (0..80)
            .map(|i| Block::Field(format!("Felt {i}"), "Verdi".into()))
            .collect();
        let placed = layout(&letter(blocks), regular, bold);
        assert!(placed.iter().any(|p| p.page == 1));
        assert!(placed
            .iter()
            .all(|p| p.y > MARGIN && p.y <= PAGE.1 - MARGIN));
        // A field's value sits on its label's line.
        let label = placed.iter().find(|p| p.text == "Felt 79").unwrap();
        let value = placed
            .iter()
            .find(|p| p.text == "Verdi" && p.page == label.page && p.y == label.y);
        assert!(value.is_some());
    }

    #[test]
    fn the_pdf_is_a_pdf_with_its_title() {
        let pdf = render(&letter(vec![
            Block::Heading("Tid og sted".into()),
            Block::Field("Tid".into(), "mandag 7. desember 2026 kl. 10.00".into()),
            Block::Paragraph("Æ ø å — møt opp.".into()),
        ]))
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() > 1000);
    }

    #[test]
    fn pdftotext_reads_the_letter_back_with_its_norwegian_letters() {
        let pdf = render(&letter(vec![
            Block::Field("Sted".into(), "Rådgivende enhet, Storgata 1, Oslo".into()),
            Block::Paragraph("Hvis du ikke møter, får påtalemyndigheten beskjed.".into()),
        ]))
        .unwrap();
        let Some(text) = pdftotext(&pdf) else {
            return;
        };
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains("Innkalling til samtale"), "{text}");
        assert!(
            text.contains("Rådgivende enhet, Storgata 1, Oslo"),
            "{text}"
        );
        assert!(text.contains("Hvis du ikke møter"), "{text}");
    }
}
