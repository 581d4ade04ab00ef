//! Facet counts for a query, from a table of each page's facet values read once per segment.
//!
//! Tantivy's `FacetCollector` walks the facet dictionary on every query and reads each
//! matching page's values from a column, one facet at a time: for a common word that was a
//! fifth of a search. Here each segment's values are read into a flat table the first time
//! it is searched, and counting a page is adding one to a counter per value.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::search::FACETS;

/// The tables of one index's segments, made as they are first searched.
#[derive(Default)]
pub struct FacetTables {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentTable>>>,
}

/// One segment's facet values: page `d` has `values[starts[d]..starts[d + 1]]`, each an index
/// into `names`.
struct SegmentTable {
    starts: Vec<u32>,
    values: Vec<u32>,
    /// (which of `FACETS`, value).
    names: Vec<(usize, String)>,
}

impl FacetTables {
    fn segment(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentTable>> {
        let mut segments = self
            .segments
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(table) = segments.get(&reader.segment_id()) {
            return Ok(Arc::clone(table));
        }
        let table = Arc::new(SegmentTable::read(reader)?);
        segments.insert(reader.segment_id(), Arc::clone(&table));
        Ok(table)
    }
}

impl SegmentTable {
    fn read(reader: &SegmentReader) -> tantivy::Result<SegmentTable> {
        let facet_readers = FACETS
            .iter()
            .map(|name| reader.facet_reader(name))
            .collect::<tantivy::Result<Vec<_>>>()?;
        // Each facet's dictionary ordinals become indexes into one list of names.
        let mut names = Vec::new();
        let mut first_name = Vec::new();
        for (facet, facet_reader) in facet_readers.iter().enumerate() {
            first_name.push(names.len());
            let mut value = Facet::root();
            for ord in 0..facet_reader.num_facets() as u64 {
                facet_reader.facet_from_ord(ord, &mut value)?;
                let label = value.to_path().last().map(|s| s.to_string());
                names.push((facet, label.unwrap_or_default()));
            }
        }
        let mut starts = Vec::with_capacity(reader.max_doc() as usize + 1);
        let mut values = Vec::new();
        for doc in 0..reader.max_doc() {
            starts.push(values.len() as u32);
            for (facet, facet_reader) in facet_readers.iter().enumerate() {
                values.extend(
                    facet_reader
                        .facet_ords(doc)
                        .map(|ord| (first_name[facet] + ord as usize) as u32),
                );
            }
        }
        starts.push(values.len() as u32);
        Ok(SegmentTable {
            starts,
            values,
            names,
        })
    }
}

/// Counts the matching pages per value of each of `FACETS`: facet -> value -> pages.
pub struct CountFacets<'a>(pub &'a FacetTables);

pub type Counts = BTreeMap<String, BTreeMap<String, u64>>;

impl Collector for CountFacets<'_> {
    type Fruit = Counts;
    type Child = SegmentCounts;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentCounts> {
        let table = self.0.segment(reader)?;
        Ok(SegmentCounts {
            counts: vec![0; table.names.len()],
            table,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut merged = Counts::new();
        for fruit in fruits {
            for (facet, values) in fruit {
                let entry = merged.entry(facet).or_default();
                for (value, n) in values {
                    *entry.entry(value).or_default() += n;
                }
            }
        }
        Ok(merged)
    }
}

pub struct SegmentCounts {
    table: Arc<SegmentTable>,
    counts: Vec<u64>,
}

impl SegmentCollector for SegmentCounts {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        let table = &self.table;
        let (Some(&start), Some(&end)) = (
            table.starts.get(doc as usize),
            table.starts.get(doc as usize + 1),
        ) else {
            return;
        };
        for &value in &table.values[start as usize..end as usize] {
            self.counts[value as usize] += 1;
        }
    }

    fn harvest(self) -> Counts {
        let mut counts = Counts::new();
        for (n, (facet, value)) in self.counts.iter().zip(&self.table.names) {
            if *n > 0 {
                counts
                    .entry(FACETS[*facet].to_string())
                    .or_default()
                    .insert(value.clone(), *n);
            }
        }
        counts
    }
}
