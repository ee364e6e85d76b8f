package dev.tern.controlplane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RoleTest {

  @ParameterizedTest(name = "{0} covers {1}: {2}")
  @CsvSource({
      "PROBE,    PROBE,    true",
      "PROBE,    VIEWER,   false",
      "PROBE,    OPERATOR, false",
      "PROBE,    ADMIN,    false",
      "VIEWER,   PROBE,    false",
      "OPERATOR, PROBE,    true",
      "ADMIN,    PROBE,    true",
      "VIEWER,   VIEWER,   true",
      "VIEWER,   OPERATOR, false",
      "VIEWER,   ADMIN,    false",
      "OPERATOR, VIEWER,   true",
      "OPERATOR, OPERATOR, true",
      "OPERATOR, ADMIN,    false",
      "ADMIN,    VIEWER,   true",
      "ADMIN,    OPERATOR, true",
      "ADMIN,    ADMIN,    true",
  })
  void each_role_covers_itself_and_the_roles_below_it_and_probe_covers_only_itself(Role holder, Role required, boolean covers) {
    assertEquals(covers, holder.covers(required));
  }

  @ParameterizedTest
  @CsvSource({"probe, PROBE", "viewer, VIEWER", "Operator, OPERATOR", "' ADMIN ', ADMIN"})
  void roles_are_read_in_any_case(String text, Role role) {
    assertEquals(role, Role.parse(text));
  }

  @ParameterizedTest
  @CsvSource({"root", "''", "admins"})
  void an_unknown_role_is_refused_with_the_known_ones_listed(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Role.parse(text));
    assertTrue(e.getMessage().contains("probe, viewer, operator, admin"), e.getMessage());
  }
}
