import ipaddr from 'ipaddr.js';

/**
 * The group a client address is counted under: an IPv4 address itself (also when it arrives
 * mapped into IPv6, as on a dual-stack listener), an IPv6 address by its /64. One subscriber's
 * network is usually a whole /64 whose addresses its hosts pick freely (RFC 4941 temporary
 * addresses), so counting single IPv6 addresses would let one client be a new one at will.
 */
export function addressGroup(address: string | undefined): string {
  if (address === undefined || !ipaddr.isValid(address)) return 'unknown';
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const network = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...network, 0, 0, 0, 0]).toString()}/64`;
}
