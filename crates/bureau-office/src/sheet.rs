//! The inventory as CSV: export every piece with its holder, and import
//! pieces line by line. A bad line is reported with its number and the
//! field at fault; the person importing chooses whether the valid lines
//! are kept or the whole import is refused.

use bureau_store::{EquipmentFields, EquipmentRecord};

/// The columns, in the order the export writes them. An import needs
/// `kind` and `label`; the others may be left out, in any order.
pub const COLUMNS: [&str; 14] = [
    "kind",
    "label",
    "model",
    "serial",
    "purchase_date",
    "cost",
    "status",
    "notes",
    "operator",
    "cap_gb",
    "renewal_day",
    "monthly_cost",
    "phone_number",
    "holder",
];

/// One line of an import, read but not yet checked against the rules.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Its line number in the file (the header is line 1).
    pub number: u64,
    pub fields: EquipmentFields,
    pub status: Option<String>,
    /// The holder's user name.
    pub holder: Option<String>,
}

/// A line that cannot be imported.
#[derive(Clone, Debug, PartialEq)]
pub struct LineError {
    pub line: u64,
    pub field: String,
    pub message: String,
}

/// Reads the file: the lines that parse, and the errors of those that do
/// not. An unusable header is an error on line 1 and nothing else is read.
pub fn read(text: &str) -> (Vec<Line>, Vec<LineError>) {
    let text = text.trim_start_matches('\u{feff}');
    // The reader's own line count skips blank lines: count from the bytes.
    let line_at = |position: Option<&csv::Position>| {
        position.map_or(0, |p| {
            // A record's position is where the reader started, before the
            // blank lines it skipped.
            let bytes = text.as_bytes();
            let mut start = (p.byte() as usize).min(bytes.len());
            while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
                start += 1;
            }
            bytes[..start].iter().filter(|&&b| b == b'\n').count() as u64 + 1
        })
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header_error = |message: String| {
        (
            Vec::new(),
            vec![LineError {
                line: 1,
                field: "header".into(),
                message,
            }],
        )
    };
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| h.to_lowercase()).collect(),
        Err(_) => return header_error("the first line is not CSV".into()),
    };
    if let Some(unknown) = headers
        .iter()
        .find(|h| !COLUMNS.contains(&h.as_str()) && *h != "id")
    {
        return header_error(format!(
            "unknown column `{unknown}`; the columns are {}",
            COLUMNS.join(", ")
        ));
    }
    for needed in ["kind", "label"] {
        if !headers.iter().any(|h| h == needed) {
            return header_error(format!("the `{needed}` column is missing"));
        }
    }
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(error) => {
                errors.push(LineError {
                    line: line_at(error.position()),
                    field: "line".into(),
                    message: "this line is not valid CSV".into(),
                });
                continue;
            }
        };
        let number = line_at(record.position());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != headers.len() {
            errors.push(LineError {
                line: number,
                field: "line".into(),
                message: format!(
                    "{} values where the header names {} columns",
                    record.len(),
                    headers.len()
                ),
            });
            continue;
        }
        match parse_line(&headers, &record) {
            Ok((fields, status, holder)) => lines.push(Line {
                number,
                fields,
                status,
                holder,
            }),
            Err((field, message)) => errors.push(LineError {
                line: number,
                field: field.into(),
                message,
            }),
        }
    }
    (lines, errors)
}

type Parsed = (EquipmentFields, Option<String>, Option<String>);

fn parse_line(
    headers: &[String],
    record: &csv::StringRecord,
) -> Result<Parsed, (&'static str, String)> {
    let mut fields = EquipmentFields::default();
    let mut status = None;
    let mut holder = None;
    for (name, value) in headers.iter().zip(record.iter()) {
        let text = || value.to_string();
        let some = || (!value.is_empty()).then(|| value.to_string());
        match name.as_str() {
            "kind" => fields.kind = text(),
            "label" => fields.label = text(),
            "model" => fields.model = text(),
            "serial" => fields.serial = text(),
            "purchase_date" => fields.purchase_date = some(),
            "cost" => fields.cost_cents = money("cost", value)?,
            "status" => status = some(),
            "notes" => fields.notes = text(),
            "operator" => fields.operator = text(),
            "cap_gb" => fields.cap_gb = number("cap_gb", value)?,
            "renewal_day" => fields.renewal_day = number("renewal_day", value)?,
            "monthly_cost" => fields.monthly_cents = money("monthly_cost", value)?,
            "phone_number" => fields.phone_number = text(),
            "holder" => holder = some(),
            _ => {}
        }
    }
    Ok((fields, status, holder))
}

fn number(field: &'static str, value: &str) -> Result<Option<i64>, (&'static str, String)> {
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse()
        .map(Some)
        .map_err(|_| (field, format!("`{value}` is not a whole number")))
}

/// `1199`, `1199.9`, `1199.90` or `1199,90` (euros) to cents.
pub fn money(field: &'static str, value: &str) -> Result<Option<i64>, (&'static str, String)> {
    if value.is_empty() {
        return Ok(None);
    }
    let bad = || (field, format!("`{value}` is not an amount like 1199.90"));
    let normal = value.replace(',', ".");
    let (negative, digits) = match normal.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, normal.as_str()),
    };
    let (units, cents) = digits.split_once('.').unwrap_or((digits, ""));
    if units.is_empty()
        || cents.len() > 2
        || !units
            .chars()
            .chain(cents.chars())
            .all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let units: i64 = units.parse().map_err(|_| bad())?;
    let cents: i64 = format!("{cents:0<2}").parse().map_err(|_| bad())?;
    let total = units
        .checked_mul(100)
        .and_then(|u| u.checked_add(cents))
        .ok_or_else(bad)?;
    Ok(Some(if negative { -total } else { total }))
}

fn cents(value: Option<i64>) -> String {
    value.map_or(String::new(), |c| {
        let sign = if c < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
    })
}

/// The inventory as CSV, with each holder's user name.
pub fn write(
    pieces: &[EquipmentRecord],
    holder_name: impl Fn(&EquipmentRecord) -> String,
) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["id"];
    header.extend(COLUMNS);
    writer.write_record(&header).expect("writing to memory");
    for piece in pieces {
        let f = &piece.fields;
        let number = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        writer
            .write_record([
                piece.id.to_string(),
                f.kind.clone(),
                f.label.clone(),
                f.model.clone(),
                f.serial.clone(),
                f.purchase_date.clone().unwrap_or_default(),
                cents(f.cost_cents),
                piece.status.clone(),
                f.notes.clone(),
                f.operator.clone(),
                number(f.cap_gb),
                number(f.renewal_day),
                cents(f.monthly_cents),
                f.phone_number.clone(),
                holder_name(piece),
            ])
            .expect("writing to memory");
    }
    String::from_utf8(writer.into_inner().expect("writing to memory")).expect("CSV of UTF-8 text")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_people_write_them() {
        for (text, cents) in [
            ("1199", 119_900),
            ("1199.9", 119_990),
            ("1199,90", 119_990),
            ("0.05", 5),
            ("-3", -300),
        ] {
            assert_eq!(money("cost", text), Ok(Some(cents)), "{text}");
        }
        for text in ["12.345", "1 199", "abc", ".5", "1e3"] {
            assert!(money("cost", text).is_err(), "{text}");
        }
        assert_eq!(money("cost", ""), Ok(None));
    }

    #[test]
    fn lines_are_read_or_reported_by_number() {
        let text = "kind,label,cost,cap_gb,holder\n\
                    laptop,ThinkPad,1199.00,,lea\n\
                    sim,Orange,,fifty,\n\
                    webcam,Logitech\n\
                    \n\
                    4g_key,Huawei,49,50,\n";
        let (lines, errors) = read(text);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].number, 2);
        assert_eq!(lines[0].fields.cost_cents, Some(119_900));
        assert_eq!(lines[0].holder.as_deref(), Some("lea"));
        assert_eq!(lines[1].number, 6);
        assert_eq!(lines[1].fields.cap_gb, Some(50));
        let reported: Vec<(u64, &str)> =
            errors.iter().map(|e| (e.line, e.field.as_str())).collect();
        assert_eq!(reported, [(3, "cap_gb"), (4, "line")]);
    }

    #[test]
    fn a_bad_header_stops_the_import() {
        let (lines, errors) = read("kind,label,colour\nlaptop,x,red\n");
        assert!(lines.is_empty());
        assert_eq!(errors[0].line, 1);
        assert!(errors[0].message.contains("colour"), "{errors:?}");
        let (_, errors) = read("label\nx\n");
        assert!(errors[0].message.contains("kind"), "{errors:?}");
    }

    #[test]
    fn the_export_reads_back() {
        let piece = EquipmentRecord {
            id: 7,
            fields: EquipmentFields {
                kind: "sim".into(),
                label: "Orange, 50 GB".into(),
                cap_gb: Some(50),
                renewal_day: Some(12),
                monthly_cents: Some(1999),
                notes: "line one\nline \"two\"".into(),
                ..Default::default()
            },
            status: "assigned".into(),
            holder: None,
            created_at: 0,
            updated_at: 0,
        };
        let text = write(std::slice::from_ref(&piece), |_| "lea".into());
        let (lines, errors) = read(&text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(lines[0].fields, piece.fields);
        assert_eq!(lines[0].status.as_deref(), Some("assigned"));
        assert_eq!(lines[0].holder.as_deref(), Some("lea"));
    }
}
