//! What the HTML standard's tree construction rules say about each element, as far as
//! the depth bound needs it: which elements end a scope, which are "special", which a
//! start tag closes by itself.

/// Categories of an open element, as bits, so that walking the stack of open
/// elements costs a bit test per element; and the names start tags close by
/// themselves, so that the walk can be skipped when none is open.
pub(super) struct Cats;

impl Cats {
    /// Its content is SVG/MathML (foreign content, where raw text elements and the
    /// self-closing `/` mean something else).
    pub const FOREIGN_CONTENT: u32 = 1;
    /// It is itself an SVG/MathML element: HTML's implied closing stops there.
    pub const FOREIGN: u32 = 1 << 1;
    /// Where the standard's "has an element in scope" stops looking.
    pub const SCOPE: u32 = 1 << 2;
    /// `html`, `table`, `template`: where "in table scope" stops.
    pub const TABLE: u32 = 1 << 3;
    /// The standard's "special" elements.
    pub const SPECIAL: u32 = 1 << 4;
    /// `ul`, `ol`: where "in list item scope" stops.
    pub const LIST: u32 = 1 << 5;
    pub const DL: u32 = 1 << 6;
    // Names.
    pub const BUTTON: u32 = 1 << 7;
    pub const TR: u32 = 1 << 8;
    pub const TSECTION: u32 = 1 << 9;
    pub const P: u32 = 1 << 10;
    pub const LI: u32 = 1 << 11;
    pub const DD: u32 = 1 << 12;
    pub const DT: u32 = 1 << 13;
    pub const A: u32 = 1 << 14;
    pub const NOBR: u32 = 1 << 15;
    pub const TD: u32 = 1 << 16;
    pub const TH: u32 = 1 << 17;
    pub const OPTION: u32 = 1 << 18;
    pub const OPTGROUP: u32 = 1 << 19;
    /// Any of `h1`…`h6`: `</h2>` closes an open `<h3>`.
    pub const HEADING: u32 = 1 << 20;
    pub const COUNT: usize = 21;

    /// The bits of element `name`, as far as its name tells.
    pub fn of(name: &str) -> u32 {
        let bit = |on: bool, b: u32| if on { b } else { 0 };
        bit(is_scope_boundary(name), Cats::SCOPE)
            | bit(is_table_boundary(name), Cats::TABLE)
            | bit(is_special(name), Cats::SPECIAL)
            | bit(matches!(name, "ul" | "ol"), Cats::LIST)
            | bit(name == "dl", Cats::DL)
            | Cats::name(name)
    }

    /// The bit naming `name`, for the elements whose names are looked for.
    pub fn name(name: &str) -> u32 {
        match name {
            "button" => Cats::BUTTON,
            "tr" => Cats::TR,
            "tbody" | "thead" | "tfoot" => Cats::TSECTION,
            "p" => Cats::P,
            "li" => Cats::LI,
            "dd" => Cats::DD,
            "dt" => Cats::DT,
            "a" => Cats::A,
            "nobr" => Cats::NOBR,
            "td" => Cats::TD,
            "th" => Cats::TH,
            "option" => Cats::OPTION,
            "optgroup" => Cats::OPTGROUP,
            _ if is_heading(name) => Cats::HEADING,
            _ => 0,
        }
    }
}

pub(super) fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Where the HTML standard's "has an element in scope" stops looking.
pub(super) fn is_scope_boundary(name: &str) -> bool {
    is_table_boundary(name)
        || matches!(
            name,
            "applet"
                | "caption"
                | "td"
                | "th"
                | "marquee"
                | "object"
                | "mi"
                | "mo"
                | "mn"
                | "ms"
                | "mtext"
                | "annotation-xml"
                | "foreignobject"
                | "desc"
                | "title"
        )
}

pub(super) fn is_table_boundary(name: &str) -> bool {
    matches!(name, "html" | "table" | "template")
}

pub(super) fn is_table_part(name: &str) -> bool {
    matches!(
        name,
        "table" | "caption" | "colgroup" | "tbody" | "thead" | "tfoot" | "tr" | "td" | "th"
    )
}

/// Start tags that close an open `<p>`.
pub(super) fn closes_p(name: &str) -> bool {
    is_heading(name)
        || matches!(
            name,
            "address"
                | "article"
                | "aside"
                | "blockquote"
                | "center"
                | "details"
                | "dialog"
                | "dir"
                | "div"
                | "dl"
                | "fieldset"
                | "figcaption"
                | "figure"
                | "footer"
                | "header"
                | "hgroup"
                | "main"
                | "menu"
                | "nav"
                | "ol"
                | "p"
                | "search"
                | "section"
                | "summary"
                | "ul"
                | "pre"
                | "listing"
                | "form"
                | "table"
                | "hr"
                | "xmp"
                | "li"
                | "dd"
                | "dt"
                | "plaintext"
        )
}

/// Elements the tree builder closes only through their own scope rules (the
/// standard's "special" category, less the void ones).
pub(super) fn is_special(name: &str) -> bool {
    closes_p(name)
        || is_scope_boundary(name)
        || is_table_part(name)
        || matches!(
            name,
            "body"
                | "button"
                | "frameset"
                | "head"
                | "iframe"
                | "noembed"
                | "noframes"
                | "noscript"
                | "script"
                | "select"
                | "style"
                | "textarea"
        )
}

/// Elements closed by the adoption agency algorithm.
pub(super) fn is_formatting(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "nobr"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

/// HTML start tags that end SVG or MathML content.
pub(super) fn breaks_out_of_foreign(name: &str) -> bool {
    is_heading(name)
        || matches!(
            name,
            "b" | "big"
                | "blockquote"
                | "body"
                | "br"
                | "center"
                | "code"
                | "dd"
                | "div"
                | "dl"
                | "dt"
                | "em"
                | "embed"
                | "head"
                | "hr"
                | "i"
                | "img"
                | "li"
                | "listing"
                | "menu"
                | "meta"
                | "nobr"
                | "ol"
                | "p"
                | "pre"
                | "ruby"
                | "s"
                | "small"
                | "span"
                | "strong"
                | "strike"
                | "sub"
                | "sup"
                | "table"
                | "tt"
                | "u"
                | "ul"
                | "var"
                | "font"
        )
}

/// SVG and MathML elements whose content is HTML again.
pub(super) fn is_integration_point(name: &str) -> bool {
    matches!(
        name,
        "foreignobject" | "desc" | "title" | "mi" | "mo" | "mn" | "ms" | "mtext" | "annotation-xml"
    )
}
