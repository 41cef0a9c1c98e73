# bench/gen-docs.awk -- generate the benchmark's documents (bench/run.sh).
#
#   awk -v docs=10000 -v seed=42 -f gen-docs.awk words.txt > docs.tsv
#
# Prints one line per document in PostgreSQL COPY text format:
#   doc_id <TAB> title <TAB> body <TAB> metadata (JSON) <TAB> language
# Words are drawn at random, with their corpus frequencies (words.txt:
# "count word" lines), into sentences of 6 to 20 words, paragraphs of 3
# to 7 sentences and bodies of 2 to 6 paragraphs (about 260 words and
# 1.8 kB on average). Titles take 3 to 7 of the rarer words (rank > 60).
# A fixed seed makes the same documents every time with the same awk.

function cap(s) { return toupper(substr(s, 1, 1)) substr(s, 2) }
function word() { return bag[int(rand() * nbag) + 1] }
function rare(   w) {
	do w = word(); while (rank[w] <= 60)
	return w
}
function between(lo, hi) { return lo + int(rand() * (hi - lo + 1)) }

/^#/ || NF < 2 { next }
{
	nw++
	rank[$2] = nw
	for (i = 0; i < $1; i++)
		bag[++nbag] = $2
}

END {
	if (docs == "") docs = 10000
	srand(seed == "" ? 42 : seed)
	split("guide reference howto faq notes design", cats, " ")
	for (d = 1; d <= docs; d++) {
		nt = between(3, 7)
		title = cap(rare())
		for (i = 2; i <= nt; i++)
			title = title " " rare()
		body = ""
		np = between(2, 6)
		for (p = 1; p <= np; p++) {
			if (p > 1)
				body = body "\\n\\n"
			ns = between(3, 7)
			for (s = 1; s <= ns; s++) {
				nwd = between(6, 20)
				sent = cap(word())
				for (i = 2; i <= nwd; i++)
					sent = sent (rand() < 0.08 ? ", " : " ") word()
				body = body (s > 1 ? " " : "") sent "."
			}
		}
		printf "doc-%05d\t%s\t%s\t{\"category\": \"%s\"}\tenglish\n", d, title, body, cats[int(rand() * 6) + 1]
	}
}
