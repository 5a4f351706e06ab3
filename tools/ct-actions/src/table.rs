//! The records of a run, by action. The catalog's actions are found by the mapping's number
//! for them (`Use::id`): hashing and comparing the name for every use read the name's text,
//! far off in the catalog, which was one of the slowest steps of aggregating. Other actions,
//! and records read back, are found by name.

use compact_str::CompactString;

use crate::ActionRecord;

#[derive(Default)]
pub(crate) struct Actions {
    records: Vec<ActionRecord>,
    by_name: hashbrown::HashMap<CompactString, usize>,
    /// By `Use::id`: the record's place plus one (0 when there is none yet).
    by_id: Vec<u32>,
    /// By record: the principals (by their number in the run's first 64, `State::principal`)
    /// given to it already, whose set need not be looked at again. Kept here, beside the
    /// numbering's owner, not in the record: a record merged in from elsewhere starts empty.
    principals: Vec<u64>,
}

impl Actions {
    /// The record of `action` (numbered `id` by the mapping, if it was), added empty if there
    /// is none, with the principals it was given already (`principals`).
    pub(crate) fn get_with_principals(&mut self, action: &str, id: Option<u32>) -> (&mut ActionRecord, &mut u64) {
        let at = self.find(action, id);
        (&mut self.records[at], &mut self.principals[at])
    }

    fn find(&mut self, action: &str, id: Option<u32>) -> usize {
        let Some(id) = id.map(|id| id as usize) else {
            return self.place(action);
        };
        let at = match self.by_id.get(id) {
            Some(&at) if at > 0 => at as usize - 1,
            _ => {
                let at = self.place(action);
                if self.by_id.len() <= id {
                    self.by_id.resize(id + 1, 0);
                }
                self.by_id[id] = at as u32 + 1;
                at
            }
        };
        debug_assert_eq!(self.records[at].action, action, "one number, one action");
        at
    }

    /// Where the record of `action` is, added empty if there is none.
    fn place(&mut self, action: &str) -> usize {
        if let Some(&at) = self.by_name.get(action) {
            return at;
        }
        self.records.push(ActionRecord::new(action));
        self.principals.push(0);
        self.by_name.insert(action.into(), self.records.len() - 1);
        self.records.len() - 1
    }

    /// Merges `r` into the record of its action, or takes it as that record.
    pub(crate) fn merge(&mut self, r: ActionRecord, cap: usize) {
        match self.by_name.get(r.action.as_str()) {
            Some(&at) => self.records[at].merge(&r, cap),
            None => {
                self.by_name.insert(r.action.as_str().into(), self.records.len());
                self.records.push(r);
                self.principals.push(0);
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &ActionRecord> {
        self.records.iter()
    }

    pub(crate) fn into_records(self) -> impl Iterator<Item = ActionRecord> {
        self.records.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_record_per_action_whether_found_by_number_or_by_name() {
        let mut t = Actions::default();
        t.get_with_principals("s3:GetObject", Some(7)).0.count += 1;
        t.get_with_principals("s3:GetObject", None).0.count += 1;
        t.get_with_principals("kms:Decrypt", Some(2)).0.count += 1;
        t.get_with_principals("s3:GetObject", Some(7)).0.count += 1;
        let mut read_back = ActionRecord::new("s3:GetObject");
        read_back.count = 10;
        t.merge(read_back, 100);
        let mut other = ActionRecord::new("ec2:RunInstances");
        other.count = 4;
        t.merge(other, 100);
        t.get_with_principals("ec2:RunInstances", Some(0)).0.count += 1;
        let mut got: Vec<(&str, u64)> = t.iter().map(|r| (r.action.as_str(), r.count)).collect();
        got.sort();
        assert_eq!(got, [("ec2:RunInstances", 5), ("kms:Decrypt", 1), ("s3:GetObject", 13)]);
        assert_eq!(t.len(), 3);
    }
}
