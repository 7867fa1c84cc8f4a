"""Token authentication for API clients, without a database round trip on a steady request.

DRF's `TokenAuthentication` reads the token and its user on every request, and the permission
checks then read the user's roles. With the shared auth cache on (`portal.accounts.authcache`,
settings.PORTAL_AUTH_CACHE) both come from one cache read, under the same generation as the
signed-in pages: a deleted token, a deactivated account or a changed role takes effect on the
very next request. Without it this is DRF's class unchanged."""

from rest_framework.authentication import TokenAuthentication

from portal.accounts import authcache


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        if not authcache.enabled():
            return super().authenticate_credentials(key)
        return authcache.token_user(key, lambda: super(CachedTokenAuthentication, self).authenticate_credentials(key))
