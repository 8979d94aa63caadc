"""Stories across a corpus: documents that retell the same event, clustered as they are stored
(:mod:`.index`), listed (:mod:`.listing`) and drawn over time with their bursts (:mod:`.timeline`,
:mod:`.chart`)."""
