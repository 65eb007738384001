/**
 * Kubernetes' `$(VAR)` expansion of container command, args and env values (the forked Go
 * `expansion` package): `$(NAME)` becomes the variable's value when it is defined and stays as
 * written when not, `$$` becomes `$` (so `$$(NAME)` is a literal `$(NAME)`), and any other `$x`
 * is kept.
 */
export function expandVariables(input: string, lookup: (name: string) => string | undefined): string {
  let output = "";
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== "$" || cursor + 1 >= input.length) continue;
    output += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    let advance = 1;
    if (next === "$") output += "$";
    else if (next === "(") {
      const close = input.indexOf(")", cursor + 2);
      if (close === -1) output += "$(";
      else {
        const name = input.slice(cursor + 2, close);
        output += lookup(name) ?? `$(${name})`;
        advance = close - cursor;
      }
    } else output += `$${next}`;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return output + input.slice(checkpoint);
}
