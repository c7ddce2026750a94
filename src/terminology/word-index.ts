/**
 * A text filter index for `$expand?filter=`: every word of every entry's texts, sorted once, so a
 * filter word is a binary search for its prefix range instead of a scan of every display. A filter
 * matches an entry when each of its words starts some word of the entry (the usual terminology
 * server reading of `filter`: "hyp tens" finds "Hypertension, essential").
 */
export class WordIndex {
  private readonly words: string[];
  /** postings[i]: ascending entry positions containing words[i]. */
  private readonly postings: Uint32Array[];
  readonly size: number;

  constructor(texts: readonly (readonly string[])[]) {
    this.size = texts.length;
    const byWord = new Map<string, number[]>();
    texts.forEach((entryTexts, position) => {
      const seen = new Set<string>();
      for (const text of entryTexts) for (const word of splitWords(text)) seen.add(word);
      for (const word of seen) {
        const list = byWord.get(word);
        if (list) list.push(position);
        else byWord.set(word, [position]);
      }
    });
    this.words = [...byWord.keys()].sort();
    this.postings = this.words.map((w) => Uint32Array.from(byWord.get(w) as number[]));
  }

  /** Ascending positions of the entries matching every word of the filter (all entries for an empty one). */
  search(filter: string): number[] {
    const filterWords = [...new Set(splitWords(filter))];
    if (filterWords.length === 0) return Array.from({ length: this.size }, (_, i) => i);
    let result: Uint8Array | undefined;
    for (const word of filterWords) {
      const hits = new Uint8Array(this.size);
      for (let i = this.lowerBound(word); i < this.words.length && this.words[i].startsWith(word); i++) {
        for (const position of this.postings[i]) hits[position] = 1;
      }
      if (result) for (let p = 0; p < this.size; p++) result[p] &= hits[p];
      else result = hits;
    }
    const out: number[] = [];
    for (let p = 0; p < this.size; p++) if ((result as Uint8Array)[p]) out.push(p);
    return out;
  }

  private lowerBound(word: string): number {
    let lo = 0;
    let hi = this.words.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.words[mid] < word) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Lower-cased words, accents folded, so "Hôpital" is found by "hopital". */
export function splitWords(text: string): string[] {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}
