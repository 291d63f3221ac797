/**
 * The network a client address belongs to, for limits that must not be escaped by changing
 * address: an IPv4 address stands for itself, an IPv6 address for its /64. One IPv6 subscriber
 * (a home, a phone, a rented server) is usually given a whole /64 and may use any of its 2^64
 * addresses, so a limit per IPv6 address is no limit at all.
 *
 * IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`, what a dual-stack socket reports for an IPv4
 * client) are the IPv4 address. Zone ids (`fe80::1%eth0`) and brackets (`[2001:db8::1]`, with or
 * without a port after them) are dropped. Anything that is not an IP address is its own key.
 */

/** The key of `address`'s network: `1.2.3.4` for IPv4, `2001:db8:0:1::/64` for IPv6. */
export function networkKey(address: string): string {
  let bare = address.trim();
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(bare);
  if (bracketed !== null) bare = bracketed[1]!;
  const zone = bare.indexOf('%');
  if (zone !== -1) bare = bare.slice(0, zone);
  if (ipv4Octets(bare) !== null) return bare;
  const groups = ipv6Groups(bare);
  if (groups === null) return address;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  const prefix = groups.slice(0, 4).map((group) => group.toString(16));
  // Trailing zero groups of the prefix are written as `::`, as the /64 usually is.
  while (prefix.length > 0 && prefix[prefix.length - 1] === '0') prefix.pop();
  return `${prefix.join(':')}::/64`;
}

/** The four octets of a dotted-quad IPv4 address, or null. */
function ipv4Octets(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return null;
  return parts.map(Number);
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a trailing IPv4 part split in two), or null. */
function ipv6Groups(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const sides = halves.map((half) => (half === '' ? [] : half.split(':')));
  const groups = sides.map((side) => side.flatMap((part, index): number[] => {
    // The last group of the address may be written as an IPv4 address.
    const last = index === side.length - 1 && side === sides[sides.length - 1];
    const octets = last ? ipv4Octets(part) : null;
    if (octets !== null) return [(octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!];
    return /^[0-9a-f]{1,4}$/i.test(part) ? [parseInt(part, 16)] : [NaN];
  }));
  if (groups.some((side) => side.some(Number.isNaN))) return null;
  const [head = [], tail = []] = groups;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : null;
}
