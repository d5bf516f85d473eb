//! Derived figures: arithmetic over the figures of the table, written as a `[[reported]]`
//! figure, e.g. an intercept rate `intercepted_ballistic / (intercepted_ballistic +
//! leaked_ballistic)`, one system's share `kills_arrow-3 / intercepted_ballistic`, or a
//! total across sides `fired_by_israel + fired_by_us`. The names are the figures of
//! [`super::table`], so every figure is still defined once; an expression is evaluated per
//! replicate and then summarised like any figure. A replicate where it divides by zero
//! (no threat of the class came) has no value and is left out of the summary.
//!
//! Grammar: `+ - * /`, parentheses, numbers and figure names. A name runs over letters,
//! digits, `_` and `-` (ids have dashes), so a minus needs a space before it. The text is
//! bounded ([`MAX_TEXT`]) and so is the nesting ([`MAX_DEPTH`]), so the recursive parser
//! cannot be driven deep by input.

/// Characters in an expression.
pub const MAX_TEXT: usize = 1_000;
/// Nested parentheses and signs.
pub const MAX_DEPTH: usize = 32;

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A figure: its column in the table.
    Column(usize),
    Number(f64),
    Neg(Box<Expr>),
    Binary(char, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// The value in one replicate's row; `None` where it divides by zero.
    pub fn eval(&self, row: &[f64]) -> Option<f64> {
        Some(match self {
            Expr::Column(i) => row[*i],
            Expr::Number(v) => *v,
            Expr::Neg(e) => -e.eval(row)?,
            Expr::Binary(op, a, b) => {
                let (x, y) = (a.eval(row)?, b.eval(row)?);
                match op {
                    '+' => x + y,
                    '-' => x - y,
                    '*' => x * y,
                    _ if y == 0.0 => return None,
                    _ => x / y,
                }
            }
        })
    }

    /// Whether the expression is one figure alone.
    pub fn is_column(&self) -> bool {
        matches!(self, Expr::Column(_))
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Name(String),
    Number(f64),
    Op(char),
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let name_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if "+-*/()".contains(c) {
            out.push(Token::Op(c));
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
            out.push(Token::Number(v));
        } else if name_char(c) {
            let start = i;
            while i < chars.len() && name_char(chars[i]) {
                i += 1;
            }
            out.push(Token::Name(chars[start..i].iter().collect()));
        } else {
            return Err(format!(
                "unexpected {c:?}: a figure is a name, or names and numbers with + - * / and parentheses"
            ));
        }
    }
    Ok(out)
}

/// Parse an expression over the figures named `names` (the table's column names). An
/// unknown name is an error that lists the closest names first.
pub fn parse(text: &str, names: &[String]) -> Result<Expr, String> {
    if text.chars().count() > MAX_TEXT {
        return Err(format!("a figure is at most {MAX_TEXT} characters"));
    }
    let mut p = Parser {
        tokens: tokens(text)?,
        at: 0,
        names,
        depth: 0,
    };
    if p.tokens.is_empty() {
        return Err("expected a figure name".into());
    }
    let e = p.sum()?;
    match p.tokens.get(p.at) {
        None => Ok(e),
        Some(t) => Err(format!("unexpected {} after a complete figure", show(t))),
    }
}

fn show(t: &Token) -> String {
    match t {
        Token::Name(n) => format!("{n:?}"),
        Token::Number(v) => format!("{v}"),
        Token::Op(c) => format!("{c:?}"),
    }
}

struct Parser<'a> {
    tokens: Vec<Token>,
    at: usize,
    names: &'a [String],
    depth: usize,
}

impl Parser<'_> {
    fn peek_op(&self) -> Option<char> {
        match self.tokens.get(self.at) {
            Some(Token::Op(c)) => Some(*c),
            _ => None,
        }
    }

    fn sum(&mut self) -> Result<Expr, String> {
        let mut e = self.product()?;
        while let Some(op @ ('+' | '-')) = self.peek_op() {
            self.at += 1;
            e = Expr::Binary(op, Box::new(e), Box::new(self.product()?));
        }
        Ok(e)
    }

    fn product(&mut self) -> Result<Expr, String> {
        let mut e = self.unary()?;
        while let Some(op @ ('*' | '/')) = self.peek_op() {
            self.at += 1;
            e = Expr::Binary(op, Box::new(e), Box::new(self.unary()?));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("a figure nests at most {MAX_DEPTH} deep"));
        }
        let e = self.atom();
        self.depth -= 1;
        e
    }

    fn atom(&mut self) -> Result<Expr, String> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        match t {
            Some(Token::Number(v)) => Ok(Expr::Number(v)),
            Some(Token::Name(n)) => match self.names.iter().position(|x| *x == n) {
                Some(i) => Ok(Expr::Column(i)),
                None => Err(unknown_figure(&n, self.names)),
            },
            Some(Token::Op('-')) => Ok(Expr::Neg(Box::new(self.unary()?))),
            Some(Token::Op('(')) => {
                let e = self.sum()?;
                if self.peek_op() != Some(')') {
                    return Err("expected `)`".into());
                }
                self.at += 1;
                Ok(e)
            }
            Some(t) => Err(format!("unexpected {}", show(&t))),
            None => Err("the figure ends where a name or number was expected".into()),
        }
    }
}

/// How many of the closest names an unknown name lists.
const CLOSEST: usize = 8;

/// `unknown figure "x"; the closest figures: a, b, c (... N in all: the column names of
/// replicates.csv)`, closest first.
pub fn unknown_figure(name: &str, names: &[String]) -> String {
    let mut scored: Vec<(f64, &String)> = names
        .iter()
        .map(|n| (strsim::normalized_damerau_levenshtein(name, n), n))
        .collect();
    // Closest first; equally close in name order.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let list: Vec<&str> = scored.iter().take(CLOSEST).map(|x| x.1.as_str()).collect();
    let mut m = format!(
        "unknown figure {name:?}; the closest figures: {} ({} in all: the column names of replicates.csv)",
        list.join(", "),
        names.len()
    );
    // `a-b` reads as one name: ids have dashes.
    if let Some((a, b)) = name.split_once('-')
        && names.iter().any(|n| n == a)
        && names
            .iter()
            .any(|n| n.starts_with(b) || b.starts_with(n.as_str()))
    {
        m.push_str("; to subtract, put spaces around `-`");
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        [
            "intercepted_ballistic",
            "leaked_ballistic",
            "kills_arrow-3",
            "hits_al-asad",
        ]
        .map(String::from)
        .to_vec()
    }

    #[test]
    fn a_rate_a_share_and_a_difference() {
        let n = names();
        let row = [30.0, 10.0, 12.0, 4.0];
        let rate = parse(
            "intercepted_ballistic / (intercepted_ballistic + leaked_ballistic)",
            &n,
        )
        .unwrap();
        assert_eq!(rate.eval(&row), Some(0.75));
        let share = parse("kills_arrow-3/intercepted_ballistic", &n).unwrap();
        assert_eq!(share.eval(&row), Some(0.4));
        let diff = parse("-hits_al-asad + 2 * (leaked_ballistic - 1.5)", &n).unwrap();
        assert_eq!(diff.eval(&row), Some(-4.0 + 17.0));
        assert!(parse("hits_al-asad", &n).unwrap().is_column());
        assert_eq!(rate.eval(&[0.0, 0.0, 0.0, 0.0]), None, "0/0 has no value");
    }

    #[test]
    fn bad_figures_say_why() {
        let n = names();
        let e = parse("intercepted_balistic", &n).unwrap_err();
        assert!(
            e.starts_with("unknown figure \"intercepted_balistic\"; the closest figures: intercepted_ballistic, leaked_ballistic"),
            "{e}"
        );
        let e = parse("intercepted_ballistic-leaked_ballistic", &n).unwrap_err();
        assert!(e.ends_with("put spaces around `-`"), "{e}");
        assert!(parse("(leaked_ballistic", &n).unwrap_err().contains("`)`"));
        assert!(parse("leaked_ballistic leaked_ballistic", &n).is_err());
        assert!(parse("", &n).is_err());
        assert!(parse("leaked_ballistic % 2", &n).is_err());
        let deep = format!("{}1{}", "(".repeat(40), ")".repeat(40));
        assert!(parse(&deep, &n).unwrap_err().contains("nests"));
        let long = "1+".repeat(600) + "1";
        assert!(parse(&long, &n).unwrap_err().contains("at most"));
    }
}
