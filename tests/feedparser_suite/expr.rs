//! The part of Python the suite's `Expect:` lines use: literals (u'' strings with
//! Python escapes, ints, tuples, lists), names, subscripts, `len()`, `==`/`!=`,
//! `in`/`not in`, `and`/`or`/`not`. Anything else is a parse error, and its case is
//! counted as one the harness does not read.

use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub enum Expr {
    Lit(Value),
    Name(String),
    Index(Box<Expr>, Box<Expr>),
    Len(Box<Expr>),
    Tuple(Vec<Expr>),
    Cmp(Box<Expr>, &'static str, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
}

#[derive(Debug, Clone)]
pub enum Value {
    Str(String),
    /// A text field staffroom keeps: its plain text and (when kept) its HTML.
    Text(String, String),
    Int(i64),
    Bool(bool),
    None,
    List(Vec<Value>),
    Dict(BTreeMap<String, Value>),
}

impl Value {
    pub fn truthy(&self) -> bool {
        match self {
            Value::Str(s) => !s.is_empty(),
            Value::Text(a, b) => !a.is_empty() || !b.is_empty(),
            Value::Int(n) => *n != 0,
            Value::Bool(b) => *b,
            Value::None => false,
            Value::List(l) => !l.is_empty(),
            Value::Dict(d) => !d.is_empty(),
        }
    }
}

/// What staffroom keeps, under feedparser's names. Any other key is "not applicable".
const MAPPED: &[&str] = &[
    "title",
    "link",
    "id",
    "summary",
    "description",
    "content",
    "value",
    "author",
    "author_detail",
    "name",
    "published_parsed",
    "updated_parsed",
    "issued_parsed",
    "modified_parsed",
    "created_parsed",
    "date_parsed",
];

#[derive(Debug, PartialEq, Clone)]
enum Tok {
    Str(String),
    Int(i64),
    Ident(String),
    Op(&'static str),
}

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch == '\''
            || ch == '"'
            || ((ch == 'u' || ch == 'b' || ch == 'r') && matches!(c.get(i + 1), Some('\'' | '"')))
        {
            let raw = ch == 'r';
            if ch != '\'' && ch != '"' {
                i += 1;
            }
            let q = c[i];
            i += 1;
            let mut v = String::new();
            loop {
                let x = *c.get(i).ok_or("unterminated string")?;
                i += 1;
                if x == q {
                    break;
                }
                if x != '\\' || raw {
                    v.push(x);
                    continue;
                }
                let e = *c.get(i).ok_or("bad escape")?;
                i += 1;
                let hex = |n: usize, i: &mut usize| -> Result<char, String> {
                    let h: String = c.get(*i..*i + n).ok_or("short escape")?.iter().collect();
                    *i += n;
                    u32::from_str_radix(&h, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .ok_or_else(|| "bad hex escape".to_string())
                };
                match e {
                    'n' => v.push('\n'),
                    't' => v.push('\t'),
                    'r' => v.push('\r'),
                    '0' => v.push('\0'),
                    'x' => v.push(hex(2, &mut i)?),
                    'u' => v.push(hex(4, &mut i)?),
                    'U' => v.push(hex(8, &mut i)?),
                    '\n' => {}
                    other => {
                        if !matches!(other, '\\' | '\'' | '"') {
                            v.push('\\');
                        }
                        v.push(other)
                    }
                }
            }
            out.push(Tok::Str(v));
        } else if ch.is_ascii_digit()
            || (ch == '-' && c.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            i += 1;
            while i < c.len() && c[i].is_ascii_digit() {
                i += 1;
            }
            let n: String = c[start..i].iter().collect();
            out.push(Tok::Int(n.parse().map_err(|_| "bad int")?));
        } else if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(c[start..i].iter().collect()));
        } else {
            let two: String = c[i..(i + 2).min(c.len())].iter().collect();
            let op = match two.as_str() {
                "==" => "==",
                "!=" => "!=",
                _ => match ch {
                    '[' => "[",
                    ']' => "]",
                    '(' => "(",
                    ')' => ")",
                    ',' => ",",
                    _ => return Err(format!("unknown character {ch}")),
                },
            };
            i += op.len();
            out.push(Tok::Op(op));
        }
    }
    Ok(out)
}

struct P {
    t: Vec<Tok>,
    i: usize,
}

impl P {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }
    fn ident(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(x)) if x == s)
    }
    fn op(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Op(x)) if *x == s)
    }
    fn eat_op(&mut self, s: &str) -> Result<(), String> {
        if self.op(s) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected {s}"))
        }
    }
    fn or(&mut self) -> Result<Expr, String> {
        let mut l = self.and()?;
        while self.ident("or") {
            self.i += 1;
            l = Expr::Or(Box::new(l), Box::new(self.and()?));
        }
        Ok(l)
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut l = self.not()?;
        while self.ident("and") {
            self.i += 1;
            l = Expr::And(Box::new(l), Box::new(self.not()?));
        }
        Ok(l)
    }
    fn not(&mut self) -> Result<Expr, String> {
        if self.ident("not") {
            self.i += 1;
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.cmp()
    }
    fn cmp(&mut self) -> Result<Expr, String> {
        let l = self.postfix()?;
        let op = if self.op("==") {
            "=="
        } else if self.op("!=") {
            "!="
        } else if self.ident("in") {
            "in"
        } else if self.ident("not")
            && matches!(self.t.get(self.i + 1), Some(Tok::Ident(x)) if x == "in")
        {
            self.i += 1;
            "not in"
        } else {
            return Ok(l);
        };
        self.i += 1;
        Ok(Expr::Cmp(Box::new(l), op, Box::new(self.postfix()?)))
    }
    fn postfix(&mut self) -> Result<Expr, String> {
        let mut e = self.atom()?;
        while self.op("[") {
            self.i += 1;
            let k = self.or()?;
            self.eat_op("]")?;
            e = Expr::Index(Box::new(e), Box::new(k));
        }
        Ok(e)
    }
    fn seq(&mut self, close: &str) -> Result<Vec<Expr>, String> {
        let mut items = Vec::new();
        while !self.op(close) {
            items.push(self.or()?);
            if !self.op(close) {
                self.eat_op(",")?;
            }
        }
        self.eat_op(close)?;
        Ok(items)
    }
    fn atom(&mut self) -> Result<Expr, String> {
        let t = self.peek().cloned().ok_or("unexpected end")?;
        self.i += 1;
        Ok(match t {
            Tok::Str(s) => {
                // Adjacent literals concatenate, as in Python.
                let mut s = s;
                while let Some(Tok::Str(more)) = self.peek().cloned() {
                    s.push_str(&more);
                    self.i += 1;
                }
                Expr::Lit(Value::Str(s))
            }
            Tok::Int(n) => Expr::Lit(Value::Int(n)),
            Tok::Ident(n) if n == "len" => {
                self.eat_op("(")?;
                let e = self.or()?;
                self.eat_op(")")?;
                Expr::Len(Box::new(e))
            }
            Tok::Ident(n) if n == "True" || n == "False" => Expr::Lit(Value::Bool(n == "True")),
            Tok::Ident(n) if n == "None" => Expr::Lit(Value::None),
            Tok::Ident(n) => {
                if self.op("(") || matches!(n.as_str(), "and" | "or" | "in" | "not") {
                    return Err(format!("unsupported {n}"));
                }
                Expr::Name(n)
            }
            Tok::Op("(") => {
                let items = self.seq(")")?;
                if items.len() == 1 {
                    items.into_iter().next().unwrap()
                } else {
                    Expr::Tuple(items)
                }
            }
            Tok::Op("[") => Expr::Tuple(self.seq("]")?),
            Tok::Op(o) => return Err(format!("unexpected {o}")),
        })
    }
}

pub fn parse_expr(s: &str) -> Result<Expr, String> {
    let mut p = P { t: lex(s)?, i: 0 };
    let e = p.or()?;
    if p.i != p.t.len() {
        return Err("trailing tokens".into());
    }
    Ok(e)
}

/// `Err(key)` names the first key or name staffroom does not keep.
pub fn applicability(e: &Expr) -> Result<(), String> {
    match e {
        Expr::Lit(_) => Ok(()),
        Expr::Name(n) => match n.as_str() {
            "feed" | "entries" => Ok(()),
            // A positive `bozo` asks for a well-formedness flag staffroom does not keep;
            // `not bozo` (checked below) is "the feed was read".
            other => Err(other.to_string()),
        },
        Expr::Not(inner) if matches!(&**inner, Expr::Name(n) if n == "bozo") => Ok(()),
        Expr::Index(on, key) => {
            applicability(on)?;
            // Of the feed itself staffroom keeps only its title and home page.
            if let (Expr::Name(n), Expr::Lit(Value::Str(k))) = (&**on, &**key)
                && n == "feed"
                && k != "title"
                && k != "link"
            {
                return Err(format!("feed {k}"));
            }
            match &**key {
                Expr::Lit(Value::Str(k)) if !MAPPED.contains(&k.as_str()) => Err(k.clone()),
                Expr::Lit(Value::Str(_) | Value::Int(_)) => Ok(()),
                _ => Err("(computed subscript)".into()),
            }
        }
        Expr::Cmp(l, op, r) => {
            if let (true, Expr::Lit(Value::Str(k))) = (op.contains("in"), &**l)
                && !MAPPED.contains(&k.as_str())
            {
                return Err(k.clone());
            }
            applicability(l)?;
            applicability(r)
        }
        Expr::Len(x) | Expr::Not(x) => applicability(x),
        Expr::Tuple(xs) => xs.iter().try_for_each(applicability),
        Expr::And(a, b) | Expr::Or(a, b) => {
            applicability(a)?;
            applicability(b)
        }
    }
}

pub fn evaluate(e: &Expr, env: &BTreeMap<String, Value>) -> Result<Value, String> {
    Ok(match e {
        Expr::Lit(v) => v.clone(),
        Expr::Name(n) => env.get(n).cloned().ok_or_else(|| format!("no {n}"))?,
        Expr::Index(on, key) => {
            let on = evaluate(on, env)?;
            match (on, evaluate(key, env)?) {
                (Value::Dict(d), Value::Str(k)) => d
                    .get(&k)
                    .cloned()
                    .ok_or_else(|| format!("staffroom kept no `{k}`"))?,
                (Value::List(l), Value::Int(i)) => {
                    let idx = if i < 0 { l.len() as i64 + i } else { i };
                    l.get(idx as usize)
                        .cloned()
                        .ok_or_else(|| format!("staffroom kept {} entries (or items)", l.len()))?
                }
                (v, k) => return Err(format!("cannot index {v:?} by {k:?}")),
            }
        }
        Expr::Len(x) => match evaluate(x, env)? {
            Value::List(l) => Value::Int(l.len() as i64),
            Value::Dict(d) => Value::Int(d.len() as i64),
            Value::Str(s) | Value::Text(s, _) => Value::Int(s.chars().count() as i64),
            v => return Err(format!("len of {v:?}")),
        },
        Expr::Tuple(xs) => Value::List(
            xs.iter()
                .map(|x| evaluate(x, env))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Not(x) => Value::Bool(!evaluate(x, env)?.truthy()),
        Expr::And(a, b) => {
            let a = evaluate(a, env)?;
            if !a.truthy() {
                return Ok(a);
            }
            evaluate(b, env)?
        }
        Expr::Or(a, b) => {
            let a = evaluate(a, env)?;
            if a.truthy() {
                return Ok(a);
            }
            evaluate(b, env)?
        }
        Expr::Cmp(l, op, r) => {
            let (l, r) = (evaluate(l, env), evaluate(r, env));
            match *op {
                "==" => Value::Bool(equal(&l?, &r?)),
                "!=" => Value::Bool(!equal(&l?, &r?)),
                "in" | "not in" => {
                    let found = match (l?, r?) {
                        (Value::Str(k), Value::Dict(d)) => d.contains_key(&k),
                        (Value::Str(k), Value::Str(s) | Value::Text(s, _)) => s.contains(&k),
                        (v, Value::List(xs)) => xs.iter().any(|x| equal(&v, x)),
                        (a, b) => return Err(format!("{a:?} in {b:?}")),
                    };
                    Value::Bool(found == (*op == "in"))
                }
                _ => unreachable!(),
            }
        }
    })
}

/// Text fields agree when the expected value is staffroom's HTML, or when its text
/// (tags dropped, entities read, spaces collapsed) is staffroom's plain text.
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Text(p, h), Value::Str(s)) | (Value::Str(s), Value::Text(p, h)) => {
            s == h || s == p || collapse(&plain(s)) == collapse(p)
        }
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Bool(y)) | (Value::Bool(y), Value::Int(x)) => *x == i64::from(*y),
        (Value::None, Value::None) => true,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b))
        }
        _ => false,
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// HTML to text, roughly: enough to compare what a reader would see.
pub fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let re = regex::Regex::new(r"&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos|nbsp);").unwrap();
    re.replace_all(&out, |c: &regex::Captures| {
        let e = &c[1];
        let ch = if let Some(h) = e.strip_prefix("#x").or_else(|| e.strip_prefix("#X")) {
            u32::from_str_radix(h, 16).ok().and_then(char::from_u32)
        } else if let Some(d) = e.strip_prefix('#') {
            d.parse().ok().and_then(char::from_u32)
        } else {
            Some(match e {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "quot" => '"',
                "apos" => '\'',
                _ => '\u{a0}',
            })
        };
        ch.map(String::from).unwrap_or_default()
    })
    .into_owned()
}

/// A date as Python's `time.struct_time` in UTC, which is what `*_parsed` holds.
pub fn time_tuple(t: chrono::DateTime<chrono::Utc>) -> Value {
    use chrono::{Datelike, Timelike};
    Value::List(
        [
            i64::from(t.year()),
            i64::from(t.month()),
            i64::from(t.day()),
            i64::from(t.hour()),
            i64::from(t.minute()),
            i64::from(t.second()),
            i64::from(t.weekday().num_days_from_monday()),
            i64::from(t.ordinal()),
            0,
        ]
        .into_iter()
        .map(Value::Int)
        .collect(),
    )
}
