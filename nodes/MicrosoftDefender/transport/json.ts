/** Integers beyond 2^53 lose digits in JSON.parse; Int64 columns (event IDs, hashes of IDs) need them all. */
// A JSON number outside a string follows `:`, `,`, `[` or starts the text; digits inside strings (hashes) do not count.
const UNSAFE_INTEGER_DIGITS = /(?:^|[:,[])\s*-?\d{16}/;

/**
 * Quotes integer literals longer than 15 digits outside strings, so that JSON.parse keeps them exactly
 * (as strings). Only runs when such a literal can exist at all: the common answer is parsed as it is.
 */
export function quoteLongIntegers(text: string): string {
	if (!UNSAFE_INTEGER_DIGITS.test(text)) return text;
	let out = '';
	let copiedUpTo = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const char = text.charCodeAt(i);
		if (inString) {
			if (char === 92 /* \ */) i++;
			else if (char === 34 /* " */) inString = false;
			continue;
		}
		if (char === 34) {
			inString = true;
			continue;
		}
		const startsNumber = char === 45 /* - */ || (char >= 48 && char <= 57);
		if (!startsNumber) continue;
		let end = i + 1;
		while (end < text.length && /[0-9.eE+-]/.test(text[end])) end++;
		const literal = text.slice(i, end);
		if (/^-?\d{16,}$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
			out += `${text.slice(copiedUpTo, i)}"${literal}"`;
			copiedUpTo = end;
		}
		i = end - 1;
	}
	return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

/** JSON.parse, optionally keeping integers beyond 2^53 exact (as strings). */
export function parseJsonText(text: string, exactIntegers = false): unknown {
	return JSON.parse(exactIntegers ? quoteLongIntegers(text) : text);
}
