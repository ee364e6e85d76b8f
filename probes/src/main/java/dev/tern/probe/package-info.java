/**
 * The probe agent that runs in each cloud region: HTTP(S), TCP and DNS checks with latency timing,
 * reporting {@code ProbeObservation}s to every control-plane node.
 */
package dev.tern.probe;
