/**
 * Google Cloud DNS: resource record sets with geo and weighted round robin routing policies that
 * serve each bound service's committed plan. See docs/providers/cloud-dns.md.
 */
package dev.tern.controlplane.provider.clouddns;
