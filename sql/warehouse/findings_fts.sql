-- Full-text index over findings. DuckDB's FTS does not segment Chinese, so `search_text` holds
-- jieba-segmented tokens joined by spaces; queries must be segmented the same way (bpe search does).
pragma create_fts_index(
    'findings', 'finding_id', 'search_text',
    stemmer = 'none', stopwords = 'none', ignore = '', strip_accents = 0, lower = 0, overwrite = 1
);
