package dev.tern.policy.model;

import java.util.regex.Pattern;

/**
 * The legal area a backend's data stays in ({@code EU}, {@code US}, {@code APAC}, ...). Residency
 * rules name jurisdictions; {@code EU} is the one Tern checks against the backend's region.
 */
public record Jurisdiction(String code) {

  private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9-]{1,15}");

  public static final Jurisdiction EU = new Jurisdiction("EU");

  public Jurisdiction {
    if (code == null || !CODE.matcher(code).matches()) {
      throw new IllegalArgumentException(
          "jurisdiction must be 2-16 upper-case letters, digits or dashes, e.g. EU, US, APAC: "
              + code);
    }
  }

  public static boolean isValid(String code) {
    return code != null && CODE.matcher(code).matches();
  }

  @Override
  public String toString() {
    return code;
  }
}
