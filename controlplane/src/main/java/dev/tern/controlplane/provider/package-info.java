/**
 * The cloud providers: each turns the committed plans of the services bound to it into its own
 * traffic machinery and keeps it there (read, pure diff, apply the difference), on the leader.
 * See docs/providers/.
 */
package dev.tern.controlplane.provider;
