// A function's answers remembered by key, at most `max` of them: when full it
// starts over, so keys that come from data (user agents, dates) cannot grow
// it without bound. For pure answers that are asked for again and again on
// hot paths (translations, formatted dates, parsed user agents).
export function remembered<K, V>(max: number, compute: (key: K) => V): (key: K) => V {
  const answers = new Map<K, V>();
  return (key) => {
    let answer = answers.get(key);
    if (answer === undefined && !answers.has(key)) {
      answer = compute(key);
      if (answers.size >= max) answers.clear();
      answers.set(key, answer);
    }
    return answer as V;
  };
}
