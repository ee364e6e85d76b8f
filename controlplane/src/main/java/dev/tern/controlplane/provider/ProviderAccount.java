package dev.tern.controlplane.provider;

import java.util.List;

/**
 * One entry of {@code tern.providers.<kind>[]}: an account of one cloud and the services it
 * serves. Each kind reads its own entries ({@code Route53Settings}, ...); {@link #open()} builds
 * the provider with its SDK client once the node starts.
 */
public interface ProviderAccount {

  String name();

  /** The provider kind, as {@link Provider#kind()}. */
  String kind();

  /** The services whose plans this account serves. */
  List<String> services();

  /** The provider, with its SDK client built from these settings. */
  Provider open();
}
