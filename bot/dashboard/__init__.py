"""The programme dashboard's domain: sign-in links and sessions, who may see what, the figures and charts.

The pages themselves are in adapters/web/dashboard, which only translates: it asks `access` who the
viewer is, `figures` for the numbers, `charts` for the pictures, and lays them out.
"""
